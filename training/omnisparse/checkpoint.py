"""Checkpoint files: atomic writes, and one loader every stage (export, evaluate, search) shares.

Two kinds, same format:
- full (`ckpt_last.pt`): weights + optimizer + scheduler + RNG + sampler position, to resume with no lost step;
- weights-only (`weights.pt`, small enough to commit): resuming from it restarts the optimizer moments but keeps
  the step counter, so the sparsity schedule continues where it was.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Optional

import torch

from .model import ModelConfig, Transducer
from .sparsity import Supernet


def atomic_save(obj: Any, path: str | Path) -> None:
    """torch.save to a temp file in the same folder, fsync, rename: a kill never leaves a torn checkpoint."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def make_payload(model: Transducer, granularity: str, step: int, train_config: dict,
                 extra: Optional[dict] = None) -> dict:
    payload = {
        "format": "omnisparse-ckpt-1",
        "model_config": model.cfg.to_dict(),
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "granularity": granularity,
        "step": step,
        "train_config": train_config,
    }
    if extra:
        payload.update(extra)
    return payload


def load_checkpoint(path: str | Path, map_location: str = "cpu") -> tuple[Transducer, Supernet, dict]:
    """-> (model in eval mode, its Supernet, the whole payload)."""
    payload = torch.load(path, map_location=map_location)
    if payload.get("format") != "omnisparse-ckpt-1":
        raise ValueError(f"{path}: not an omnisparse checkpoint")
    model = Transducer(ModelConfig.from_dict(payload["model_config"]))
    model.load_state_dict(payload["model"])
    model.eval()
    return model, Supernet(model, payload["granularity"]), payload
