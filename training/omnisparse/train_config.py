"""Hyper-parameters of a recipe v1 training run (omnisparse.train): one dataclass, written into every checkpoint
(`train_config`) and read by the schedules, the losses' weights and the batching."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class TrainConfig:
    preset: str = "default"
    granularity: str = "structured"
    mode: str = "supernet"  # or "single": one gradually pruned net (the paper's individually-pruned baseline)
    lr: float = 1e-3
    lr_min_ratio: float = 0.05  # cosine decays to lr * this at total_steps
    warmup_steps: int = 1000
    rewarm_steps: int = 200  # after --init-from: fresh Adam moments need a short warm-up of their own
    weight_decay: float = 0.01
    betas: tuple[float, float] = (0.9, 0.98)
    grad_clip: float = 5.0
    total_steps: int = 30000
    prune_begin: float = 0.1  # fractions of total_steps
    prune_end: float = 0.7
    s_final: float = 0.9  # supernet: final max sparsity; single: the one target
    n_random: int = 1
    # Re-rank magnitudes every k steps. 1 = every step (the paper); an unstructured refresh argsorts every weight
    # matrix (~0.15 s for the default preset on one core), so unstructured runs may use 2-4.
    refresh_every: int = 1
    choices: list[float] = field(default_factory=lambda: [round(0.1 * k, 1) for k in range(10)])
    distill_weight: float = 0.0
    ctc_weight: float = 0.3
    curriculum_steps: int = 0
    curriculum_max_seconds: float = 6.0
    max_batch_seconds: float = 100.0
    max_duration: float = 20.0
    augment: bool = True
    spec_augment: bool = True
    seed: int = 0

    def validate(self) -> "TrainConfig":
        if self.mode not in ("supernet", "single"):
            raise ValueError(f"mode must be supernet|single, got {self.mode!r}")
        if not 0.0 <= self.s_final < 1.0:
            raise ValueError("s_final must be in [0, 1)")
        if self.refresh_every < 1:
            raise ValueError("refresh_every must be >= 1")
        if not 0.0 <= self.prune_begin <= self.prune_end <= 1.0:
            raise ValueError("need 0 <= prune_begin <= prune_end <= 1")
        self.betas = (float(self.betas[0]), float(self.betas[1]))
        return self

    def updated(self, overrides: dict[str, Any]) -> "TrainConfig":
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown TrainConfig keys {sorted(unknown)}")
        return TrainConfig(**{**asdict(self), **overrides}).validate()
