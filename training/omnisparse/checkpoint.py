"""Recipe v1 checkpoint files: atomic writes, what the training loop saves and restores, and one loader every
stage (export, evaluate, search) shares.

Two kinds, same format:
- full (`ckpt_last.pt`): weights + optimizer + scheduler + RNG + sampler position, to resume with no lost step;
- weights-only (`weights.pt`, small enough to commit): resuming from it restarts the optimizer moments but keeps
  the step counter, so the sparsity schedule continues where it was.
"""
from __future__ import annotations

import os
import random
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from .distributed import Dist, gather
from .model import ModelConfig, Transducer
from .schedules import s_max_at
from .sparsity import Supernet
from .train_config import TrainConfig


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


# ------------------------------------------------------------------------------------------- training state
def rng_state() -> dict[str, Any]:
    s = {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}
    if torch.cuda.is_available():
        s["cuda"] = torch.cuda.get_rng_state()
    return s


def set_rng_state(s: dict[str, Any]) -> None:
    torch.set_rng_state(s["torch"])
    random.setstate(s["python"])
    np.random.set_state(s["numpy"])
    if "cuda" in s and torch.cuda.is_available():
        torch.cuda.set_rng_state(s["cuda"])


def mask_ranks(supernet: Supernet) -> list[dict[str, Any]]:
    """The magnitude ranking in use: with refresh_every > 1 it may be older than the weights, so a resume needs it."""
    return [{"order": g.order, "ranks": g.ranks} for g in supernet.groups]


def restore_mask_ranks(supernet: Supernet, saved: list[dict[str, Any]]) -> None:
    for g, r in zip(supernet.groups, saved, strict=True):
        g.order, g.ranks = r["order"], r["ranks"]


def save_checkpoints(out: Path, d: Dist, model: Transducer, supernet: Supernet, tc: TrainConfig,
                     optimizer: torch.optim.Optimizer, step: int, rewarm_from: Optional[int], position: dict[str, Any],
                     counters: dict[str, int]) -> None:
    """Collective (every rank must call it): gathers every rank's RNG and data position (`position`, this rank's),
    rank 0 writes `ckpt_last.pt` and `weights.pt` into `out`."""
    positions = gather(d, position)
    rngs = gather(d, rng_state())
    if not d.main:
        return
    s_max = s_max_at(max(step - 1, 0), tc) if step else 0.0
    common = {"s_max": s_max, "mode": tc.mode}
    full = make_payload(model, tc.granularity, step, asdict(tc), extra={
        **common, "kind": "full", "optimizer": optimizer.state_dict(),
        "scheduler": {"kind": "warmup_cosine", "rewarm_from": rewarm_from}, "rng": rngs, "data": positions,
        "mask_ranks": mask_ranks(supernet) if tc.refresh_every > 1 else None,
        "counters": counters})
    atomic_save(full, out / "ckpt_last.pt")
    atomic_save(make_payload(model, tc.granularity, step, asdict(tc), extra={**common, "kind": "weights"}),
                out / "weights.pt")


def restore_checkpoint(payload: dict, rank: int, optimizer: torch.optim.Optimizer,
                       supernet: Supernet) -> tuple[dict[str, Any], Optional[int], dict[str, int]]:
    """`--resume` from a full checkpoint of save_checkpoints: loads the optimizer state, this rank's RNG state and the
    saved magnitude ranking in place; -> (this rank's data position, the re-warm-up start, the counters)."""
    optimizer.load_state_dict(payload["optimizer"])
    set_rng_state(payload["rng"][rank])
    position, rewarm_from = payload["data"][rank], payload["scheduler"]["rewarm_from"]
    if payload.get("mask_ranks"):
        restore_mask_ranks(supernet, payload["mask_ranks"])
    return position, rewarm_from, payload["counters"]


# ------------------------------------------------------------------------------------------------- loading
def load_checkpoint(path: str | Path, map_location: str = "cpu") -> tuple[Transducer, Supernet, dict]:
    """-> (model in eval mode, its Supernet, the whole payload)."""
    payload = torch.load(path, map_location=map_location)
    if payload.get("format") != "omnisparse-ckpt-1":
        raise ValueError(f"{path}: not an omnisparse checkpoint")
    model = Transducer(ModelConfig.from_dict(payload["model_config"]))
    model.load_state_dict(payload["model"])
    model.eval()
    return model, Supernet(model, payload["granularity"]), payload
