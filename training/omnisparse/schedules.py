"""Recipe v1 schedules (omnisparse.train): the learning rate (warm-up, cosine decay, re-warm-up after --init-from),
the maximum sparsity of Zhu & Gupta's cubic ramp, and the subnets each step trains (the sandwich)."""
from __future__ import annotations

import math
import random
from typing import Optional

from .sparsity import Supernet, zhu_gupta
from .train_config import TrainConfig


def lr_at(step: int, tc: TrainConfig, rewarm_from: Optional[int] = None) -> float:
    """Linear warm-up, cosine decay to lr*lr_min_ratio; after --init-from also a re-warm-up from `rewarm_from`."""
    warm = min(1.0, (step + 1) / max(1, tc.warmup_steps))
    if rewarm_from is not None:
        warm = min(warm, (step - rewarm_from + 1) / max(1, tc.rewarm_steps))
    progress = min(1.0, step / max(1, tc.total_steps))
    cosine = tc.lr_min_ratio + (1 - tc.lr_min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))
    return tc.lr * max(0.0, min(1.0, warm)) * cosine


def s_max_at(step: int, tc: TrainConfig) -> float:
    """Sparsity of the step that follows `step` completed steps (the last step uses s_final exactly)."""
    begin = int(round(tc.prune_begin * tc.total_steps))
    end = int(round(tc.prune_end * tc.total_steps))
    return zhu_gupta(step + 1, tc.s_final, begin, end)


def step_configs(supernet: Supernet, tc: TrainConfig, s_max: float, step: int) -> list[Optional[dict[str, float]]]:
    """Subnets trained at this step. Random mixes come from an rng seeded by (seed, step): identical on every
    rank and after a resume. All-zero configs duplicate the dense net and are dropped (no wasted forward)."""
    if tc.mode == "single":
        return [supernet.uniform(s_max) if s_max > 0 else None]
    rng = random.Random(tc.seed * 1_000_003 + step)
    configs: list[Optional[dict[str, float]]] = [None, supernet.uniform(s_max)]
    configs += [supernet.sample(rng, s_max, tc.choices) for _ in range(tc.n_random)]
    return [None] + [c for c in configs[1:] if c is not None and any(v > 0 for v in c.values())]
