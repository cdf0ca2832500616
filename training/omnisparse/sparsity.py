"""Omni-sparsity: per-group magnitude masks over one shared set of weights.

A *group* is a set of interchangeable units (FFN neurons of one layer, attention q/k dims of one layer, …). A
*config* maps group name -> sparsity in [0, 1). Masks are nested: all configs rank units (structured) or weights
(unstructured) by the same magnitude scores, and a sparser config keeps a prefix of a denser one's kept set.

Structured masks zero whole units (weight rows of the producers + input columns of the consumers), so
`slice_model` can export a physically smaller network — the only kind of sparsity that makes onnxruntime-web faster.
Unstructured masks zero single weights (the paper's setting) — only the compressed download shrinks.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Iterable, Optional

import torch

from .model import MaskedLinear, ModelConfig, Transducer

GRANULARITIES = ("structured", "unstructured")


@dataclass
class Group:
    name: str
    n_units: int
    # (module, repeat): unit j owns rows {h*n_units + j | h < repeat} of a producer, columns of a consumer
    producers: list[tuple[MaskedLinear, int]]
    consumers: list[tuple[MaskedLinear, int]]
    kind: str = ""
    # modules whose single weights another group ranks (unstructured): a matrix belongs to exactly one group
    unowned: tuple = ()
    # filled by Supernet.refresh()
    order: Optional[torch.Tensor] = None  # structured: unit indices, most important first
    ranks: list[torch.Tensor] = field(default_factory=list)  # unstructured: per weight matrix, rank by |w| (0=smallest)

    def owned_modules(self) -> list[MaskedLinear]:
        mods = [m for m, _ in self.producers] + [m for m, _ in self.consumers]
        return [m for m in mods if not any(m is u for u in self.unowned)]

    def matrices(self) -> list[torch.nn.Parameter]:
        return [m.weight for m in self.owned_modules()]

    def params_per_unit(self) -> int:
        n = 0
        for m, r in self.producers:
            n += r * (m.in_features + (1 if m.bias is not None else 0))
        for m, r in self.consumers:
            n += r * m.out_features
        return n

    def prunable_params(self, granularity: str) -> int:
        if granularity == "structured":
            return self.params_per_unit() * self.n_units
        return sum(w.numel() for w in self.matrices())


def build_groups(model: Transducer) -> list[Group]:
    cfg = model.cfg
    groups: list[Group] = []
    for i, layer in enumerate(model.encoder.layers):
        a = layer.attn
        groups.append(Group(f"enc{i}.qk", a.qk_dim, [(a.q, cfg.n_heads), (a.k, cfg.n_heads)], [], "attn_qk"))
        groups.append(Group(f"enc{i}.vo", a.vo_dim, [(a.v, cfg.n_heads)], [(a.o, cfg.n_heads)], "attn_vo"))
        f = layer.ffn
        groups.append(Group(f"enc{i}.ffn", f.lin1.out_features, [(f.lin1, 1)], [(f.lin2, 1)], "ffn"))
    p = model.predictor
    groups.append(Group("pred", p.lin1.out_features, [(p.lin1, 1)], [(p.lin2, 1)], "pred_hidden"))
    groups.append(Group("joiner", model.joiner.out.in_features,
                        [(model.encoder.out_proj, 1), (p.lin2, 1)], [(model.joiner.out, 1)], "joiner",
                        unowned=(p.lin2,)))
    return groups


def keep_count(n: int, sparsity: float) -> int:
    """Units kept at this sparsity: exact rounding, never zero (a layer must keep a path)."""
    return max(1, n - int(round(sparsity * n)))


def zhu_gupta(step: int, s_final: float, begin: int, end: int, s_init: float = 0.0) -> float:
    """Gradual pruning schedule (Zhu & Gupta 2017): s_t = s_f + (s_i - s_f) (1 - (t - t0)/(t1 - t0))^3."""
    if step <= begin:
        return s_init
    if step >= end:
        return s_final
    frac = (step - begin) / float(end - begin)
    return s_final + (s_init - s_final) * (1.0 - frac) ** 3


def _unit_rows(n: int, repeat: int, units: torch.Tensor) -> torch.Tensor:
    return (torch.arange(repeat)[:, None] * n + units[None, :]).reshape(-1)


class Supernet:
    """Owns the groups of one Transducer and applies sparsity configs to it."""

    def __init__(self, model: Transducer, granularity: str = "structured"):
        if granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {GRANULARITIES}, got {granularity!r}")
        self.model = model
        self.granularity = granularity
        self.groups = build_groups(model)
        self.by_name = {g.name: g for g in self.groups}
        self.refresh()

    # ---- scores -------------------------------------------------------------------------------------------
    @torch.no_grad()
    def refresh(self) -> None:
        """Re-rank units/weights by the current magnitudes (call once per optimizer step)."""
        for g in self.groups:
            if self.granularity == "structured":
                score = torch.zeros(g.n_units)
                for m, r in g.producers:
                    w = m.weight.detach().view(r, g.n_units, -1).pow(2).sum(dim=(0, 2))
                    if m.bias is not None:
                        w = w + m.bias.detach().view(r, g.n_units).pow(2).sum(0)
                    score += w.cpu()
                for m, r in g.consumers:
                    score += m.weight.detach().view(m.out_features, r, g.n_units).pow(2).sum(dim=(0, 1)).cpu()
                g.order = torch.argsort(score, descending=True)
            else:
                g.ranks = []
                for w in g.matrices():
                    flat = w.detach().abs().flatten()
                    rank = torch.empty_like(flat, dtype=torch.long)
                    rank[torch.argsort(flat)] = torch.arange(flat.numel(), device=flat.device)
                    g.ranks.append(rank.view_as(w))

    # ---- masks --------------------------------------------------------------------------------------------
    def unit_mask(self, group: Group, sparsity: float) -> torch.Tensor:
        assert group.order is not None
        mask = torch.zeros(group.n_units)
        mask[group.order[:keep_count(group.n_units, sparsity)]] = 1.0
        return mask

    def weight_masks(self, group: Group, sparsity: float) -> list[torch.Tensor]:
        out = []
        for rank in group.ranks:
            k = int(round(sparsity * rank.numel()))
            out.append((rank >= k).to(torch.float32))
        return out

    def set_config(self, config: Optional[dict[str, float]]) -> None:
        """Install the masks of `config` on the model (None or all-zero = dense)."""
        for m in self.model.modules():
            if isinstance(m, MaskedLinear):
                m.out_mask = None
                m.weight_mask = None
        for g in self.groups:
            s = 0.0 if config is None else float(config.get(g.name, 0.0))
            if s <= 0.0:
                continue
            if self.granularity == "structured":
                unit = self.unit_mask(g, s)
                dev = g.producers[0][0].weight.device
                for m, r in g.producers:
                    # consumers need no mask: their inputs from masked units are already zero
                    m.out_mask = unit.repeat(r).to(dev)
            else:
                for m, wm in zip(g.owned_modules(), self.weight_masks(g, s)):
                    m.weight_mask = wm

    # ---- configs ------------------------------------------------------------------------------------------
    def uniform(self, sparsity: float) -> dict[str, float]:
        return {g.name: sparsity for g in self.groups}

    def sample(self, rng: random.Random, s_max: float, choices: Optional[Iterable[float]] = None) -> dict[str, float]:
        """A random per-group mix in [0, s_max] (from `choices` when given, else uniform)."""
        if choices is not None:
            opts = [c for c in choices if c <= s_max + 1e-9] or [0.0]
            return {g.name: rng.choice(opts) for g in self.groups}
        return {g.name: rng.uniform(0.0, s_max) for g in self.groups}

    # ---- accounting ---------------------------------------------------------------------------------------
    def total_params(self) -> int:
        return self.model.count_params()

    def prunable_params(self) -> int:
        """Weights that some config can remove (structured: a matrix shared by two groups is counted once)."""
        total = sum(g.prunable_params(self.granularity) for g in self.groups)
        if self.granularity == "structured":
            for a, m, ra, b, rb in self._shared_matrices():
                total -= a.n_units * ra * b.n_units * rb
        return total

    def _shared_matrices(self):
        """(producer group, module, repeat, consumer group, repeat) for matrices whose rows and columns are both units."""
        for a in self.groups:
            for m, ra in a.producers:
                for b in self.groups:
                    for c, rb in b.consumers:
                        if c is m:
                            yield a, m, ra, b, rb

    def removed_params(self, config: dict[str, float]) -> int:
        removed = 0
        gone = {g.name: g.n_units - keep_count(g.n_units, float(config.get(g.name, 0.0))) for g in self.groups}
        for g in self.groups:
            s = float(config.get(g.name, 0.0))
            if self.granularity == "structured":
                removed += gone[g.name] * g.params_per_unit()
            else:
                removed += sum(int(round(s * w.numel())) for w in g.matrices())
        if self.granularity == "structured":
            # a matrix whose rows one group removes and whose columns another removes: count the overlap once
            for a, _, ra, b, rb in self._shared_matrices():
                removed -= gone[a.name] * ra * gone[b.name] * rb
        return removed

    def nonzero_params(self, config: dict[str, float]) -> int:
        return self.total_params() - self.removed_params(config)

    def effective_sparsity(self, config: dict[str, float]) -> float:
        """Fraction of the prunable weights removed by `config`."""
        return self.removed_params(config) / max(1, self.prunable_params())

    def config_for_budget(self, sparsity: float) -> dict[str, float]:
        """Uniform config whose effective sparsity is the requested one (rounding per group aside)."""
        return self.uniform(sparsity)


# ---- physical export ----------------------------------------------------------------------------------------
@torch.no_grad()
def slice_model(supernet: Supernet, config: dict[str, float]) -> Transducer:
    """A physically smaller Transducer computing exactly what the structured-masked supernet computes."""
    if supernet.granularity != "structured":
        raise ValueError("slice_model needs structured sparsity; use bake_unstructured for unstructured")
    model = supernet.model
    cfg = model.cfg
    names = {id(m): n for n, m in model.named_modules()}
    state = {k: v.clone() for k, v in model.state_dict().items()}
    kept: dict[str, torch.Tensor] = {}
    for g in supernet.groups:
        assert g.order is not None
        keep = torch.sort(g.order[:keep_count(g.n_units, float(config.get(g.name, 0.0)))]).values
        kept[g.name] = keep
        for m, r in g.producers:
            rows = _unit_rows(g.n_units, r, keep)
            base = names[id(m)]
            state[base + ".weight"] = state[base + ".weight"][rows]
            if m.bias is not None:
                state[base + ".bias"] = state[base + ".bias"][rows]
        for m, r in g.consumers:
            cols = _unit_rows(g.n_units, r, keep)
            base = names[id(m)]
            state[base + ".weight"] = state[base + ".weight"][:, cols]
    new_cfg = ModelConfig.from_dict(cfg.to_dict())
    new_cfg.qk_dims = [len(kept[f"enc{i}.qk"]) for i in range(cfg.n_layers)]
    new_cfg.vo_dims = [len(kept[f"enc{i}.vo"]) for i in range(cfg.n_layers)]
    new_cfg.ffn_dims = [len(kept[f"enc{i}.ffn"]) for i in range(cfg.n_layers)]
    new_cfg.pred_hidden_eff = len(kept["pred"])
    new_cfg.joiner_dim_eff = len(kept["joiner"])
    small = Transducer(new_cfg)
    small.load_state_dict(state, strict=True)
    return small.eval()


@torch.no_grad()
def bake_unstructured(supernet: Supernet, config: dict[str, float]) -> Transducer:
    """A dense-shaped copy with the masked weights written as zeros (what an unstructured level ships)."""
    if supernet.granularity != "unstructured":
        raise ValueError("bake_unstructured needs unstructured sparsity")
    model = copy.deepcopy(supernet.model)
    twin = Supernet.__new__(Supernet)
    twin.model, twin.granularity = model, supernet.granularity
    twin.groups = build_groups(model)
    for g_src, g in zip(supernet.groups, twin.groups):
        s = float(config.get(g.name, 0.0))
        if s <= 0:
            continue
        for w, mask in zip(g.matrices(), supernet.weight_masks(g_src, s)):
            w.mul_(mask.to(w.device))
    for m in model.modules():
        if isinstance(m, MaskedLinear):
            m.out_mask = None
            m.weight_mask = None
    return model.eval()


def export_model(supernet: Supernet, config: dict[str, float]) -> Transducer:
    return slice_model(supernet, config) if supernet.granularity == "structured" else bake_unstructured(supernet, config)
