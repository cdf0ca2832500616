import json
import random

import numpy as np
import pytest
import torch

from omnisparse import search
from omnisparse.evaluate import EvalItem
from omnisparse.model import Transducer, build_config
from omnisparse.sparsity import Supernet

GRID = (0.0, 0.3, 0.6, 0.9)


def _points(rng, n):
    # coarse values so ties (equal WER or equal cost) occur often
    return [{"wer": rng.randint(0, 10) / 10, "cost": float(rng.randint(1, 12)), "cer": rng.random(), "i": i}
            for i in range(n)]


@pytest.mark.parametrize("seed", range(25))
def test_pareto_front_properties(seed):
    rng = random.Random(seed)
    pts = _points(rng, rng.randint(1, 40))
    front = search.pareto_front(pts)
    assert front
    for p in front:  # non-dominated
        assert not any(search.dominates(q, p) for q in pts)
    for p in pts:  # everything else is dominated by, or ties with, a front point
        assert any(search.dominates(f, p) or (f["wer"], f["cost"]) == (p["wer"], p["cost"]) for f in front)
    costs, wers = [p["cost"] for p in front], [p["wer"] for p in front]
    assert costs == sorted(costs) and len(set(costs)) == len(costs)
    assert all(a > b for a, b in zip(wers, wers[1:]))  # paying more must buy accuracy
    ranks = search.front_ranks(pts)
    assert {id(p) for p, r in zip(pts, ranks) if r == 0} >= {id(p) for p in front}


def test_operators_stay_on_grid():
    rng = random.Random(0)
    a = {f"g{i}": rng.choice(GRID) for i in range(12)}
    b = {f"g{i}": rng.choice(GRID) for i in range(12)}
    for _ in range(50):
        child = search.mutate(search.crossover(a, b, rng), GRID, rng, 0.5)
        assert set(child) == set(a) and all(v in GRID for v in child.values())
    x = search.crossover(a, b, rng)
    assert all(x[k] in (a[k], b[k]) for k in a)
    assert search.mutate(a, GRID, rng, 0.0) == a


def _net(granularity="structured"):
    torch.manual_seed(0)
    m = Transducer(build_config("tiny")).eval()
    with torch.no_grad():
        m.joiner.out.bias[0] += 0.5
    return Supernet(m, granularity)


def _items(n=3, seed=0):
    rng = np.random.default_rng(seed)
    return [EvalItem(f"u{i}", (rng.standard_normal((30 + 17 * i, 80)) * 3 - 6).astype(np.float32),
                     "a cat" if i % 2 else "no", 0.3) for i in range(n)]


def test_evolve_returns_non_dominated_front_of_supernet_configs():
    net = _net()
    ev = search.Evaluator(net, _items(), search.make_cost(net, "params", GRID))
    points = search.evolve(net, ev, GRID, population=5, generations=2, seed=1, log=lambda s: None)
    assert len(points) > 5
    names = {g.name for g in net.groups}
    for p in points:
        assert set(p["config"]) == names and all(v in GRID for v in p["config"].values())
        assert p["cost"] == net.nonzero_params(p["config"]) and 0 <= p["wer"]
    for s in GRID:  # uniform seeds were evaluated
        assert search.config_key(net.uniform(s)) in ev.cache
    front = search.pareto_front(points)
    for p in front:
        assert not any(search.dominates(q, p) for q in points)
    assert all(m.out_mask is None for m in net.model.modules() if hasattr(m, "out_mask"))  # masks cleaned up


def test_latency_cost_table_and_unstructured_refusal():
    net = _net()
    table = search.latency_table(net, (0.0, 0.9), log=lambda s: None)
    assert set(table) == {g.name for g in net.groups}
    assert all(v > 0 for row in table.values() for v in row.values())
    cost = search.make_cost(net, "latency", (0.0, 0.9), table)
    assert cost(net.uniform(0.0)) == pytest.approx(sum(row["0.0"] for row in table.values()))
    with pytest.raises(ValueError):
        search.latency_table(_net("unstructured"), (0.0, 0.9))


def test_cli_writes_points_and_front(tmp_path):
    from omnisparse.checkpoint import atomic_save, make_payload
    from tests.test_evaluate import write_wavs

    ckpt = tmp_path / "w.pt"
    atomic_save(make_payload(_net().model, "structured", 0, {}), ckpt)
    data = write_wavs(tmp_path)
    out = tmp_path / "pareto.json"
    r = search.main(["--ckpt", str(ckpt), "--dev", str(data), "--budget-type", "bytes", "--out", str(out),
                     "--population", "4", "--generations", "1", "--grid", "0,0.5,0.9", "--limit", "2"])
    on_disk = json.loads(out.read_text())
    assert on_disk["front"] == r["front"] and on_disk["devUtterances"] == 2
    assert all(p["cost"] == 4 * p["nonzeroParams"] for p in on_disk["points"])


def test_cer_metric_drives_the_front_when_wer_is_saturated(tmp_path):
    from omnisparse.checkpoint import atomic_save, make_payload
    from tests.test_evaluate import write_wavs

    # every WER equal (a young model gets every word wrong): only CER can order the configs
    pts = [{"wer": 1.0, "cer": c, "score": c, "cost": k} for c, k in ((0.5, 3.0), (0.6, 2.0), (0.7, 2.5), (0.4, 4.0))]
    assert [p["cost"] for p in search.pareto_front(pts)] == [2.0, 3.0, 4.0]
    ckpt = tmp_path / "w.pt"
    atomic_save(make_payload(_net().model, "structured", 0, {}), ckpt)
    r = search.main(["--ckpt", str(ckpt), "--dev", str(write_wavs(tmp_path)), "--out", str(tmp_path / "p.json"),
                     "--population", "4", "--generations", "1", "--grid", "0,0.5,0.9", "--limit", "3",
                     "--metric", "cer"])
    assert r["metric"] == "cer" and all(p["score"] == p["cer"] for p in r["points"])
    for p in r["front"]:
        assert not any(q["cer"] <= p["cer"] and q["cost"] < p["cost"] for q in r["points"])
    with pytest.raises(ValueError):
        search.Evaluator(_net(), [], lambda c: 0.0, "loss")
