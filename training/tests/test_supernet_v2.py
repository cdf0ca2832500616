"""The supernet-vs-individually-pruned experiment on model family v2: a supernet step with --spread costs one subnet
per rank (the paper's per-GPU sampling), --max-steps makes lr and sparsity ramp follow steps, checkpoints carry the
unit ranking their masks were trained with, and omnisparse.compare reads v2 checkpoints (uniform and searched
configs, paired intervals, run cost)."""
import json

import pytest
import torch

from omnisparse import compare, stream_train
from omnisparse.omni import OmniSupernet, activation_importance

from test_end_to_end import _corpus
from test_v2_end_to_end import tiny_checkpoint


def test_spread_pick_trains_every_sandwich_member_equally():
    members = ["dense", "sparsest", "random"]
    picks = [[stream_train.spread_pick(members, step, r, 2) for r in range(2)] for step in range(6)]
    flat = [p for step in picks for p in step]
    assert all(flat.count(m) == 4 for m in members)            # 6 steps x 2 ranks = 12 = 3 x 4
    assert all(a != b for a, b in picks)                        # the two ranks of a step train different subnets
    assert stream_train.spread_pick(["dense"], 7, 1, 2) == "dense"   # before the ramp starts: dense everywhere


def _argv(stage, train, dev, init, out, *extra):
    return ["--stage", stage, "--train", str(train), "--dev", f"dev={dev}", "--init", str(init), "--teacher", str(init),
            "--out", str(out), "--workers", "0", "--threads", "1", "--batch-seconds", "4", "--augment", "false",
            "--warmup-steps", "1", "--eval-every-min", "1000", "--eval-limit", "2", "--refresh-every", "1",
            "--target-sparsity", "0.5", "--ramp-fraction", "0.5", "--max-steps", "6", *extra]


def test_spread_supernet_and_single_runs_compare_with_searched_configs(tmp_path):
    train, dev = _corpus(tmp_path / "train", 8, 0), _corpus(tmp_path / "dev", 3, 1)
    init = tiny_checkpoint(tmp_path / "init.pt")
    sup_out, one_out = tmp_path / "super", tmp_path / "single"
    assert stream_train.main(_argv("supernet", train, dev, init, sup_out, "--spread", "true"))["step"] == 6
    assert stream_train.main(_argv("single", train, dev, init, one_out, "--importance", "activation"))["step"] == 6
    log = (sup_out / "train.log").read_text()
    assert "dev@0.5" in log                        # the step-based ramp reached the target within the 6 steps

    # the ranking the masks were trained with travels with the weights, and wins over a re-ranking at load
    ck = torch.load(sup_out / "last.pt", map_location="cpu")
    assert set(ck["sup_order"]) == {f"{k}{i}" for i in range(2) for k in ("att", "ffn")}
    model, sup = stream_train.load_supernet(str(sup_out / "last.pt"))
    assert all(torch.equal(sup.order[g], torch.as_tensor(ck["sup_order"][g])) for g in sup.groups)
    plain = OmniSupernet(stream_train.load_model(str(init)))
    _, from_init = stream_train.load_supernet(str(init))       # no sup_order: magnitude ranking of its weights
    assert all(torch.equal(plain.order[g], from_init.order[g]) for g in plain.groups)

    # compare: a searched config near 0.5 is decoded besides the uniform one; every arm gets a paired interval
    searched = dict(sup.uniform(0.0), att0=0.75, ffn1=0.75)
    pareto = {"metric": "wer", "front": [{"config": searched, "sparsity": 0.52, "wer": 0.9, "cer": 0.5}]}
    assert compare.searched_config(pareto, 0.5) == searched and compare.searched_config(pareto, 0.3) is None
    report = compare.compare(str(sup_out / "last.pt"), {0.5: str(one_out / "last.pt")}, {"dev": str(dev)},
                             bootstrap=50, pareto=pareto)
    (row,) = report["rows"]
    assert row["utts"] == 3 and {"supernet", "single", "searched"} <= set(row)
    assert row["supernet"]["sparsity"] >= 0.5 and row["single"]["sparsity"] >= 0.5
    assert row["searched"]["sparsity"] != row["supernet"]["sparsity"]
    for key in ("wer_diff_ci95", "cer_diff_ci95", "wer_diff_ci95_searched"):
        lo, hi = row[key]
        assert lo <= hi
    table = compare.markdown(report)
    assert "searched" in table
    cost = compare.run_cost(compare.read_records(sup_out / "metrics.jsonl"))
    assert cost["steps"] == 6 and cost["wall_s"] > 0
    json.dumps(report)                             # the report is what --out writes
    # the command line: one --cost per arm, all of them kept
    rep = compare.main(["--supernet", str(sup_out / "last.pt"), "--baseline", f"0.5={one_out / 'last.pt'}",
                        "--data", f"dev={dev}", "--limit", "1", "--bootstrap", "10",
                        "--cost", f"supernet={sup_out / 'metrics.jsonl'}", "--cost", f"single={one_out / 'metrics.jsonl'}",
                        "--out", str(tmp_path / "cmp.json")])
    assert set(rep["cost"]) == {"supernet", "single"}
    assert "| supernet | 6 |" in (tmp_path / "cmp.md").read_text()


def test_activation_importance_ranks_units_by_what_they_write(tmp_path):
    model = stream_train.load_model(str(tiny_checkpoint(tmp_path / "w.pt")))
    sup = OmniSupernet(model, min_heads=1, min_ffn=2)
    layer = sup.layers[1]
    with torch.no_grad():
        # neuron 5 never fires (GELU of a large negative) but has the largest weights; head 2 has large q/k rows but
        # a zero value projection, so it writes nothing: magnitude ranks both first, what they write ranks them last
        layer.fc1.weight[5] = 0.0
        layer.fc1.bias[5] = -50.0
        layer.fc2.weight[:, 5] = 50.0
        a, dh = layer.n_heads * layer.d_head, layer.d_head
        layer.qkv.weight[2 * dh:3 * dh] *= 50
        layer.qkv.weight[a + 2 * dh:a + 3 * dh] *= 50
        layer.qkv.weight[2 * a + 2 * dh:2 * a + 3 * dh] = 0.0
        layer.qkv.bias[2 * a + 2 * dh:2 * a + 3 * dh] = 0.0
    mel = torch.randn(2, 70, 80)
    sup.refresh()
    assert int(sup.order["ffn1"][0]) == 5 and int(sup.order["att1"][0]) == 2
    acts = activation_importance(sup, lambda: model.encoder.forward_chunked(mel, model.cfg.stream, -1.0))
    assert set(acts) == set(sup.groups) and all(torch.all(v >= 0) for v in acts.values())
    sup.refresh(acts)
    assert int(sup.order["ffn1"][-1]) == 5 and int(sup.order["att1"][-1]) == 2
    assert float(acts["ffn1"][5]) < 1e-6 and float(acts["att1"][2]) < 1e-6
    # masks stay nested under the new ranking
    for g in sup.groups:
        assert set(sup.kept_units(g, 0.8).tolist()) <= set(sup.kept_units(g, 0.3).tolist())


def test_export_prefers_uniform_unless_the_searched_point_beats_a_denser_uniform_one(tmp_path):
    from omnisparse.export_v2 import configs_for

    model = stream_train.load_model(str(tiny_checkpoint(tmp_path / "w.pt")))
    sup = OmniSupernet(model, min_heads=1, min_ffn=2)
    mix = dict(sup.uniform(0.0), ffn0=0.9, ffn1=0.9, att1=0.5)
    s_mix = sup.effective_sparsity(mix)
    evaluated = [{"origin": "uniform", "sparsity": 0.0, "cer": 0.30, "wer": 0.6},
                 {"origin": "uniform", "sparsity": s_mix - 0.05, "cer": 0.40, "wer": 0.8}]
    bad = {"metric": "cer", "evaluated": evaluated,
           "front": [{"config": mix, "sparsity": s_mix, "cer": 0.70, "wer": 0.95}]}
    good = {**bad, "front": [{"config": mix, "sparsity": s_mix, "cer": 0.35, "wer": 0.7}]}
    t = round(s_mix - 0.01, 3)
    (_, _, src_bad), = configs_for(sup, [t], bad)
    (_, cfg_good, src_good), = configs_for(sup, [t], good)
    assert src_bad == "uniform"                   # undominated among the mixes, but worse than a denser uniform net
    assert src_good == "pareto" and cfg_good == mix


def test_log_cost_sums_chained_run_logs_and_refuses_what_it_cannot_account(tmp_path):
    from omnisparse.compare import log_cost

    a = tmp_path / "a.log"
    a.write_text("23:50:00 stage supernet: ...\n23:55:00 step 5 distill 1\n00:10:30 done: step 100, best 0.7\n")
    b = tmp_path / "b.log"
    b.write_text("03:50:21 stage supernet: ...\n05:00:44 eval step 316\n05:00:44 done: step 316, best 0.70\n")
    cost = log_cost([a, b])
    assert cost["steps"] == 416
    assert cost["wall_s"] == 20 * 60 + 30 + 70 * 60 + 23   # the first run crossed midnight
    resumed = tmp_path / "r.log"
    resumed.write_text("01:00:00 resumed at step 40\n01:10:00 done: step 80\n")
    with pytest.raises(ValueError, match="resumed"):
        log_cost([resumed])
    unfinished = tmp_path / "u.log"
    unfinished.write_text("01:00:00 stage single\n01:01:00 step 5\n")
    with pytest.raises(ValueError, match="not a finished"):
        log_cost([unfinished])


def test_lattice_kl_is_zero_on_the_teacher_and_ignores_nodes_outside_each_utterance():
    torch.manual_seed(0)
    teacher = torch.randn(2, 5, 4, 7)
    t_lens, u_lens = torch.tensor([5, 3]), torch.tensor([3, 1])
    assert stream_train.lattice_kl(teacher, teacher, t_lens, u_lens).item() == pytest.approx(0.0, abs=1e-6)
    student = teacher.clone()
    student[1, 3:] = torch.randn(2, 4, 7)          # frames past utterance 1's end
    student[1, :, 2:] = torch.randn(5, 2, 7)               # labels past its last token
    assert stream_train.lattice_kl(student, teacher, t_lens, u_lens).item() == pytest.approx(0.0, abs=1e-6)
    student[0, 0, 0] += torch.tensor([3.0, 0, 0, 0, 0, 0, -3.0])
    kl = stream_train.lattice_kl(student, teacher, t_lens, u_lens)
    assert kl.item() > 0
    # one bad node of utterance 0's 5 x 4 valid ones, averaged with utterance 1's zero
    node = torch.nn.functional.kl_div(student[0, 0, 0].log_softmax(-1), teacher[0, 0, 0].log_softmax(-1),
                                      log_target=True, reduction="sum")
    assert kl.item() == pytest.approx(node.item() / 20 / 2, rel=1e-5)


def test_random_members_from_levels_are_the_uniform_subnets_that_ship(tmp_path):
    import random
    from omnisparse.omni import subnets
    model, sup = stream_train.load_supernet(str(tiny_checkpoint(tmp_path / "init.pt")))
    sw = subnets(sup, random.Random(0), 0.5, n_random=20, levels=(0.2, 0.4, 0.6))
    assert sw[0] is None and sw[1] == sup.config_for_budget(0.5)
    assert {tuple(c.values()) for c in sw[2:]} == {tuple(sup.config_for_budget(v).values()) for v in (0.2, 0.4)}
    # no level under the current ramp value: the paper's per-layer mixes
    mixes = subnets(sup, random.Random(0), 0.1, n_random=3, levels=(0.2,))[2:]
    assert all(max(c.values()) <= 0.1 for c in mixes)
    assert stream_train.parse_levels(" 0.1, 0.3 ,") == (0.1, 0.3) and stream_train.parse_levels("") == ()
    with pytest.raises(ValueError, match="random-levels"):
        stream_train.parse_levels("0.1,1.5")
    with pytest.raises(ValueError, match="random-levels"):
        stream_train.parse_levels("0.1;0.2")


def test_supernet_with_inplace_distillation_and_a_ramp_that_starts_sparse(tmp_path):
    train, dev = _corpus(tmp_path / "train", 8, 0), _corpus(tmp_path / "dev", 3, 1)
    init = tiny_checkpoint(tmp_path / "init.pt")
    out = tmp_path / "super"
    got = stream_train.main(_argv("supernet", train, dev, init, out, "--ramp-start", "0.4", "--random-levels",
                                  "0.2,0.3", "--inplace-weight", "1.0", "--max-steps", "3"))
    assert got["step"] == 3
    with pytest.raises(ValueError, match="ramp-start"):
        stream_train.main(_argv("supernet", train, dev, init, tmp_path / "bad", "--ramp-start", "0.7"))
