"""The blank penalty: chosen per level on dev sets (omnisparse.tune_blank), baked into the exported joiner
(export_v2 --blank-penalty), recorded in the manifest; the runtime's greedy argmax stays the contract's (§5)."""
import json

import numpy as np
import pytest

from omnisparse.evaluate import ort_session
from omnisparse.export_v2 import main as export_main, parse_blank_penalty
from omnisparse.tune_blank import pick, tune

from test_end_to_end import _corpus
from test_v2_end_to_end import tiny_checkpoint


def test_parse_blank_penalty_forms_and_errors() -> None:
    ids = ["s00", "s50"]
    assert parse_blank_penalty(None, ids) == {"s00": 0.0, "s50": 0.0}
    assert parse_blank_penalty("0.75", ids) == {"s00": 0.75, "s50": 0.75}
    assert parse_blank_penalty("s00=0.75", ids) == {"s00": 0.75, "s50": 0.0}
    assert parse_blank_penalty("s00=1,s50=0.25", ids) == {"s00": 1.0, "s50": 0.25}
    for bad, msg in (("s10=1", "no level 's10'"), ("s00=x", "could not convert"), ("-1", ">= 0"), ("s00", "could")):
        with pytest.raises(ValueError, match=msg):
            parse_blank_penalty(bad, ids)


def test_pick_fewest_errors_ties_to_the_smaller_penalty() -> None:
    assert pick({0.0: (50, 100), 0.5: (40, 100), 1.0: (45, 100)}) == 0.5
    assert pick({0.0: (40, 100), 0.5: (40, 100)}) == 0.0


def test_export_bakes_the_penalty_into_that_levels_joiner_only(tmp_path) -> None:
    ckpt = tiny_checkpoint(tmp_path / "w.pt")
    out = tmp_path / "models"
    export_main(["--ckpt", str(ckpt), "--out", str(out), "--levels", "0,0.5", "--quantize", "none",
                 "--final-pass", "none", "--threads", "1", "--blank-penalty", "s00=0.5"])
    manifest = json.loads((out / "manifest.json").read_text())
    s00, s50 = manifest["levels"]
    assert s00["blankPenalty"] == 0.5 and "blankPenalty" not in s50
    rng = np.random.default_rng(0)
    feeds = {"encoder_out": rng.standard_normal((7, 16)).astype(np.float32),
             "predictor_out": rng.standard_normal((7, 16)).astype(np.float32)}
    pen, plain = (ort_session(out / lv["files"]["joiner"]["path"]).run(None, feeds)[0] for lv in (s00, s50))
    blank = manifest["blankId"]
    # the head is not pruned: both levels share the joiner, so the only difference is the blank column, by 0.5
    np.testing.assert_allclose(pen[:, blank], plain[:, blank] - 0.5, atol=1e-5)
    others = [k for k in range(pen.shape[1]) if k != blank]
    np.testing.assert_allclose(pen[:, others], plain[:, others], atol=1e-6)


def test_export_rejects_a_bad_penalty_with_the_flag_named(tmp_path, capsys) -> None:
    ckpt = tiny_checkpoint(tmp_path / "w.pt")
    with pytest.raises(SystemExit):
        export_main(["--ckpt", str(ckpt), "--out", str(tmp_path / "m"), "--levels", "0", "--quantize", "none",
                     "--final-pass", "none", "--blank-penalty", "s30=1"])
    assert "--blank-penalty" in capsys.readouterr().err


def test_tune_scores_every_penalty_and_never_picks_worse_than_none(tmp_path) -> None:
    ckpt = tiny_checkpoint(tmp_path / "w.pt")
    dev = _corpus(tmp_path / "dev", 3, 1)
    report = tune(str(ckpt), [0.0, 0.5], {"dev": str(dev)}, grid=(0.5, 3.0), log=lambda m: None)
    assert report["grid"] == [0.0, 0.5, 3.0]          # 0 joins the grid: the baseline is always a candidate
    assert set(report["levels"]) == {"s00", "s50"}
    for lv in report["levels"].values():
        rows = lv["grid"]
        assert set(rows) == {"0.0", "0.5", "3.0"} and lv["chosen"] in (0.0, 0.5, 3.0)
        assert rows[str(lv["chosen"])]["pooled_wer"] <= rows["0.0"]["pooled_wer"]
    assert report["argument"].startswith("s00=") and ",s50=" in report["argument"]
