import json

import pytest

from omnisparse import compare as cmp
from omnisparse.checkpoint import atomic_save, make_payload
from omnisparse.metrics import ErrorCounter

from tests.test_evaluate import tiny_model, write_wavs


def test_training_cost_counts_only_steps_in_the_range():
    recs = [{"type": "train", "step": s, "step_s": 2.0, "audio_per_s": 10.0} for s in (10, 20, 30, 40)]
    recs.append({"type": "eval", "step": 30})
    c = cmp.training_cost(recs, 10, 30)  # records at 20 and 30 each stand for 10 steps
    assert c == {"steps": 20, "wall_s": 40.0, "audio_s": 400.0}
    assert cmp.training_cost(recs, 40, 50)["steps"] == 0


def test_utterance_errors_sum_to_the_corpus_rates():
    refs, hyps = ["the cat  sat", "a b c d"], ["the hat sat on", "a c d"]
    c = ErrorCounter()
    for r, h in zip(refs, hyps):
        c.add(r, h)
    for unit, rate in (("word", c.wer), ("char", c.cer)):
        e = cmp.utterance_errors(refs, hyps, unit)
        assert sum(x for x, _ in e) / sum(n for _, n in e) == pytest.approx(rate)


def test_paired_bootstrap_brackets_the_true_gap_and_rejects_mismatch():
    a = [(1, 10)] * 50 + [(3, 10)] * 50  # 20 %
    b = [(2, 10)] * 50 + [(4, 10)] * 50  # 30 %: b is worse by exactly 10 pp on every utterance
    lo, hi = cmp.paired_bootstrap(a, b, n=200)
    assert lo == pytest.approx(0.1) and hi == pytest.approx(0.1)
    lo, hi = cmp.paired_bootstrap(a, a[::-1], n=200)
    assert lo < 0 < hi
    with pytest.raises(ValueError):
        cmp.paired_bootstrap(a, b[:3])


def test_compare_decodes_both_models_and_reports_cost(tmp_path):
    data = write_wavs(tmp_path)
    sup, one = tmp_path / "sup.pt", tmp_path / "one.pt"
    atomic_save(make_payload(tiny_model(0), "structured", 0, {}), sup)
    atomic_save(make_payload(tiny_model(1), "structured", 0, {}), one)
    metrics = tmp_path / "m.jsonl"
    metrics.write_text("".join(json.dumps({"type": "train", "step": s, "step_s": 1.0, "audio_per_s": 5.0}) + "\n"
                               for s in (5, 10)))
    r = cmp.main(["--supernet", str(sup), "--baseline", f"0.5={one}", "--data", f"toy={data}",
                  "--cost", f"sup={metrics}:0:10", "--bootstrap", "50", "--out", str(tmp_path / "c.json")])
    (row,) = r["rows"]
    assert row["data"] == "toy" and row["target"] == 0.5 and row["utts"] == 4
    assert 0.4 < row["supernet"]["sparsity"] < 0.6 and row["single"]["nonzero"] == row["supernet"]["nonzero"]
    assert row["supernet"]["wer"] != row["single"]["wer"] or row["supernet"]["cer"] != row["single"]["cer"]
    lo, hi = row["cer_diff_ci95"]
    assert lo <= row["single"]["cer"] - row["supernet"]["cer"] <= hi
    assert r["cost"]["sup"] == {"steps": 10, "wall_s": 10.0, "audio_s": 50.0}
    md = (tmp_path / "c.md").read_text()
    assert "| toy (4) |" in md and "| sup | 10 |" in md and "single − supernet" in md
