"""tiny train -> search -> export -> evaluate through the real CLIs, as the recipe runs them (< 3 minutes)."""
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torchaudio

TRAINING = Path(__file__).resolve().parents[1]
WORDS = ["one", "two", "red", "blue", "go", "stop"]


def _corpus(root: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True)
    rows = []
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 2))]
        t = torch.arange(int(0.3 * 16000)) / 16000
        wave = torch.cat([torch.cat([0.3 * torch.sin(2 * math.pi * (250 + 120 * WORDS.index(w)) * t),
                                     torch.zeros(1600)]) for w in words])
        wave = wave + 0.01 * torch.randn(wave.numel())
        torchaudio.save(str(root / f"u{i}.wav"), wave[None], 16000)
        rows.append({"id": f"u{i}", "audio": f"u{i}.wav", "duration": wave.numel() / 16000,
                     "text": " ".join(words), "speaker": "s", "split": root.name, "source": "e2e"})
    path = root / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _run(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(TRAINING), "OMP_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, "-m", *args], cwd=TRAINING, env=env, capture_output=True, text=True,
                       timeout=170)
    assert p.returncode == 0, f"{args[0]} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    return p.stdout + p.stderr


@pytest.mark.slow
def test_train_search_export_evaluate(tmp_path):
    if not (TRAINING / "omnisparse" / "train.py").exists():
        pytest.skip("omnisparse/train.py does not exist yet")
    t0 = time.time()
    train, dev = _corpus(tmp_path / "train", 12, 0), _corpus(tmp_path / "dev", 3, 1)
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps({"augment": False, "spec_augment": False, "warmup_steps": 2}))
    run = tmp_path / "run"
    _run("omnisparse.train", "--train", str(train), "--dev", str(dev), "--out", str(run), "--preset", "tiny",
         "--steps", "20", "--workers", "0", "--eval-every", "0", "--eval-utts", "3", "--max-batch-seconds", "4",
         "--config", str(cfg))
    weights = run / "weights.pt"
    assert weights.exists()
    pareto = tmp_path / "pareto.json"
    _run("omnisparse.search", "--ckpt", str(weights), "--dev", str(dev), "--budget-type", "params",
         "--out", str(pareto), "--population", "4", "--generations", "1", "--limit", "3", "--grid", "0,0.5,0.9")
    front = json.loads(pareto.read_text())["front"]
    assert front
    models = tmp_path / "models"
    _run("omnisparse.export", "--ckpt", str(weights), "--out", str(models), "--levels", "0,0.5,0.9",
         "--pareto", str(pareto), "--dev", str(dev), "--name", "e2e")
    manifest = json.loads((models / "manifest.json").read_text())
    assert manifest["name"] == "e2e" and manifest["levels"]
    assert manifest["defaultLevel"] in {lv["id"] for lv in manifest["levels"]}
    results = tmp_path / "results.json"
    _run("omnisparse.evaluate", "--manifest", str(models / "manifest.json"), "--data", str(dev),
         "--out", str(results))
    report = json.loads(results.read_text())
    by_id = {r["id"]: r for r in report["levels"]}
    for lv in manifest["levels"]:  # the manifest's dev numbers are the shipped files' streaming numbers
        assert by_id[lv["id"]]["wer"] == pytest.approx(lv["dev"]["wer"])
        assert by_id[lv["id"]]["cer"] == pytest.approx(lv["dev"]["cer"])
        assert by_id[lv["id"]]["utts"] == 3
    assert (tmp_path / "results.md").exists()
    assert time.time() - t0 < 180
