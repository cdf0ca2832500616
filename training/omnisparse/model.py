"""Streaming transducer: chunked-attention ("Emformer-style") encoder, stateless predictor, joiner.

Design choices (docs/contracts.md has the I/O contract):
- Frame stacking x4 (40 ms encoder frames) keeps T small, which is what makes RNN-T affordable on CPU.
- Right context (40 ms) lives only in a depthwise (prev, cur, next) conv after stacking; the attention is
  chunk-causal (a frame sees its own 160 ms segment and `left_context` cached frames). Because nothing but the
  first conv looks ahead, the streaming step is exactly the full-utterance forward with a block mask, so the
  training graph and the browser graph compute the same function (tested).
- Relative position bias instead of absolute positions: positions are unbounded in a stream, distances are not.
- Every prunable unit (attention q/k dims, v/o dims, FFN neurons, predictor neurons, joiner dims) is masked on the
  *output activation* of the layer that produces it. That equals zeroing the unit's weight rows and the consumer's
  input columns, costs one vector multiply, and lets `sparsity.slice_model` remove the units physically.
- Attention scale is fixed at 1/sqrt(full head dim) so a sliced model computes exactly what the masked one did.
- The predictor is stateless (last `pred_context` tokens): no LSTM, which onnxruntime-web's WebGPU backend lacks.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Optional

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class ModelConfig:
    feat_dim: int = 80
    subsampling: int = 4
    d_model: int = 144
    n_layers: int = 6
    n_heads: int = 4
    head_dim: int = 36
    ffn_dim: int = 576
    segment: int = 4  # encoder frames per chunk (160 ms)
    left_context: int = 16  # encoder frames kept in the attention caches (640 ms per layer)
    joiner_dim: int = 256
    pred_embed: int = 64
    pred_hidden: int = 256
    pred_context: int = 2
    vocab_size: int = 29
    dropout: float = 0.1
    # Per-unit overrides written by slice_model; None = full width.
    qk_dims: Optional[list[int]] = None
    vo_dims: Optional[list[int]] = None
    ffn_dims: Optional[list[int]] = None
    pred_hidden_eff: Optional[int] = None
    joiner_dim_eff: Optional[int] = None

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> "ModelConfig":
        known = {f for f in ModelConfig.__dataclass_fields__}
        return ModelConfig(**{k: v for k, v in d.items() if k in known})

    def layer_qk(self, i: int) -> int:
        return self.qk_dims[i] if self.qk_dims else self.head_dim

    def layer_vo(self, i: int) -> int:
        return self.vo_dims[i] if self.vo_dims else self.head_dim

    def layer_ffn(self, i: int) -> int:
        return self.ffn_dims[i] if self.ffn_dims else self.ffn_dim

    @property
    def eff_pred_hidden(self) -> int:
        return self.pred_hidden_eff or self.pred_hidden

    @property
    def eff_joiner_dim(self) -> int:
        return self.joiner_dim_eff or self.joiner_dim

    @property
    def chunk_input_frames(self) -> int:
        return (self.segment + 1) * self.subsampling

    @property
    def segment_frames(self) -> int:
        return self.segment * self.subsampling


class MaskedLinear(nn.Linear):
    """nn.Linear with two optional, externally set masks (never saved in state_dict).

    `out_mask` [out_features] zeroes whole output units (structured sparsity);
    `weight_mask` [out, in] zeroes single weights (unstructured sparsity).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__(in_features, out_features, bias)
        self.out_mask: Optional[torch.Tensor] = None
        self.weight_mask: Optional[torch.Tensor] = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight if self.weight_mask is None else self.weight * self.weight_mask
        y = F.linear(x, w, self.bias)
        if self.out_mask is not None:
            y = y * self.out_mask
        return y


def chunk_attention_mask(n_frames: int, segment: int, left_context: int, device=None) -> torch.Tensor:
    """Bool [T, T]: True where query i may attend key j (same or earlier chunk, within left_context of chunk start)."""
    idx = torch.arange(n_frames, device=device)
    chunk_start = (idx // segment) * segment
    q_start = chunk_start[:, None]
    k = idx[None, :]
    return (k < q_start + segment) & (k >= q_start - left_context)


class ChunkAttention(nn.Module):
    def __init__(self, cfg: ModelConfig, qk_dim: int, vo_dim: int):
        super().__init__()
        self.h = cfg.n_heads
        self.qk_dim = qk_dim
        self.vo_dim = vo_dim
        self.scale = 1.0 / math.sqrt(cfg.head_dim)  # fixed: slicing must not change the function
        self.q = MaskedLinear(cfg.d_model, self.h * qk_dim)
        self.k = MaskedLinear(cfg.d_model, self.h * qk_dim)
        self.v = MaskedLinear(cfg.d_model, self.h * vo_dim)
        self.o = MaskedLinear(self.h * vo_dim, cfg.d_model)
        self.segment = cfg.segment
        self.left_context = cfg.left_context
        # distance q - k ranges over [-(S-1), L+S-1]
        self.n_dist = cfg.left_context + 2 * cfg.segment - 1
        self.rel_bias = nn.Parameter(torch.zeros(self.h, self.n_dist))
        self.drop = nn.Dropout(cfg.dropout)

    def _bias(self, q_pos: torch.Tensor, k_pos: torch.Tensor) -> torch.Tensor:
        dist = (q_pos[:, None] - k_pos[None, :] + (self.segment - 1)).clamp(0, self.n_dist - 1)
        return self.rel_bias[:, dist]  # [H, Tq, Tk]

    def _heads(self, x: torch.Tensor, d: int) -> torch.Tensor:
        b, t, _ = x.shape
        return x.view(b, t, self.h, d).transpose(1, 2)  # [B, H, T, d]

    def _attend(self, q, k, v, bias, allowed) -> torch.Tensor:
        scores = torch.matmul(q, k.transpose(-1, -2)) * self.scale + bias
        scores = scores.masked_fill(~allowed, -1e4)
        p = self.drop(torch.softmax(scores, dim=-1))
        out = torch.matmul(p, v)  # [B, H, Tq, dv]
        b, h, t, dv = out.shape
        return self.o(out.transpose(1, 2).reshape(b, t, h * dv))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Full-utterance mode with the chunk mask (training / reference)."""
        t = x.shape[1]
        q = self._heads(self.q(x), self.qk_dim)
        k = self._heads(self.k(x), self.qk_dim)
        v = self._heads(self.v(x), self.vo_dim)
        pos = torch.arange(t, device=x.device)
        allowed = chunk_attention_mask(t, self.segment, self.left_context, x.device)
        return self._attend(q, k, v, self._bias(pos, pos), allowed)

    def step(self, x, k_cache, v_cache, valid):
        """One chunk. x [1,S,d]; caches [1,L,H*d]; valid [1,L+S] float (1 = real frame)."""
        k_new = self.k(x)
        v_new = self.v(x)
        k_all = torch.cat([k_cache, k_new], dim=1)
        v_all = torch.cat([v_cache, v_new], dim=1)
        q = self._heads(self.q(x), self.qk_dim)
        s, L = self.segment, self.left_context
        q_pos = torch.arange(s, device=x.device) + L
        k_pos = torch.arange(L + s, device=x.device)
        allowed = (valid > 0.5)[:, None, None, :]  # [1,1,1,L+S]
        out = self._attend(q, self._heads(k_all, self.qk_dim), self._heads(v_all, self.vo_dim),
                           self._bias(q_pos, k_pos), allowed)
        return out, k_all[:, s:], v_all[:, s:]


class FeedForward(nn.Module):
    def __init__(self, d: int, hidden: int, dropout: float):
        super().__init__()
        self.lin1 = MaskedLinear(d, hidden)
        self.lin2 = MaskedLinear(hidden, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.lin2(self.drop(F.silu(self.lin1(x))))


class EncoderLayer(nn.Module):
    def __init__(self, cfg: ModelConfig, i: int):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.d_model)
        self.attn = ChunkAttention(cfg, cfg.layer_qk(i), cfg.layer_vo(i))
        self.norm2 = nn.LayerNorm(cfg.d_model)
        self.ffn = FeedForward(cfg.d_model, cfg.layer_ffn(i), cfg.dropout)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x):
        x = x + self.drop(self.attn(self.norm1(x)))
        return x + self.drop(self.ffn(self.norm2(x)))

    def step(self, x, k_cache, v_cache, valid):
        a, k_cache, v_cache = self.attn.step(self.norm1(x), k_cache, v_cache, valid)
        x = x + a
        return x + self.ffn(self.norm2(x)), k_cache, v_cache


class Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.register_buffer("feat_mean", torch.zeros(cfg.feat_dim))
        self.register_buffer("feat_std", torch.ones(cfg.feat_dim))
        self.input_proj = nn.Linear(cfg.feat_dim * cfg.subsampling, cfg.d_model)
        # depthwise taps over (previous, current, next) stacked frame: the model's only look-ahead
        self.front_conv = nn.Conv1d(cfg.d_model, cfg.d_model, 3, groups=cfg.d_model)
        self.front_norm = nn.LayerNorm(cfg.d_model)
        self.layers = nn.ModuleList([EncoderLayer(cfg, i) for i in range(cfg.n_layers)])
        self.final_norm = nn.LayerNorm(cfg.d_model)
        self.out_proj = MaskedLinear(cfg.d_model, cfg.eff_joiner_dim)
        self.ctc_head = nn.Linear(cfg.d_model, cfg.vocab_size)  # auxiliary loss only, never exported

    def set_feature_stats(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        self.feat_mean.copy_(mean)
        self.feat_std.copy_(std.clamp_min(1e-3))

    def _embed(self, feats: torch.Tensor) -> torch.Tensor:
        b, t, f = feats.shape
        x = (feats - self.feat_mean) / self.feat_std
        x = x.reshape(b, t // self.cfg.subsampling, f * self.cfg.subsampling)
        return self.input_proj(x)

    @staticmethod
    def output_lengths(feature_lens: torch.Tensor, subsampling: int = 4) -> torch.Tensor:
        return torch.div(feature_lens + subsampling - 1, subsampling, rounding_mode="floor")

    def pad_features(self, feats: torch.Tensor, pad_value: float) -> torch.Tensor:
        """Pad to whole chunks plus one look-ahead frame with digital silence, exactly like the streaming caller."""
        seg = self.cfg.segment_frames
        t = feats.shape[1]
        n_chunks = max(1, -(-t // seg))
        target = n_chunks * seg + self.cfg.subsampling
        return F.pad(feats, (0, 0, 0, target - t), value=pad_value)

    def forward_hidden(self, feats: torch.Tensor, pad_value: float) -> torch.Tensor:
        """feats [B,T,80] (rows past each length hold pad_value) -> hidden [B, n_chunks*S, d]."""
        x = self._embed(self.pad_features(feats, pad_value))  # [B, N+1, d]
        x = F.pad(x.transpose(1, 2), (1, 0))  # zero "previous" frame at the stream start
        x = self.front_norm(self.front_conv(x).transpose(1, 2))  # [B, N, d]
        for layer in self.layers:
            x = layer(x)
        return self.final_norm(x)

    def forward(self, feats: torch.Tensor, pad_value: float) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.forward_hidden(feats, pad_value)
        return self.out_proj(h), h


class Predictor(nn.Module):
    """Stateless predictor: embeddings of the last C tokens (blank pads the start) -> MLP -> joiner space."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.context = cfg.pred_context
        self.vocab = cfg.vocab_size
        self.embed = nn.Embedding(cfg.vocab_size * cfg.pred_context, cfg.pred_embed)
        self.lin1 = MaskedLinear(cfg.pred_embed * cfg.pred_context, cfg.eff_pred_hidden)
        self.lin2 = MaskedLinear(cfg.eff_pred_hidden, cfg.eff_joiner_dim)

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        """context int64 [..., C] -> [..., J]."""
        offsets = torch.arange(self.context, device=context.device) * self.vocab
        e = self.embed(context + offsets).flatten(-2)
        return self.lin2(F.relu(self.lin1(e)))

    def contexts_for_targets(self, targets: torch.Tensor) -> torch.Tensor:
        """targets [B,U] -> contexts [B,U+1,C]: row u holds the C tokens before position u."""
        b, u = targets.shape
        padded = F.pad(targets, (self.context, 0), value=0)
        return torch.stack([padded[:, i:i + u + 1] for i in range(self.context)], dim=-1)


class Joiner(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.out = MaskedLinear(cfg.eff_joiner_dim, cfg.vocab_size)

    def forward(self, enc: torch.Tensor, pred: torch.Tensor) -> torch.Tensor:
        return self.out(torch.tanh(enc + pred))


class Transducer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.predictor = Predictor(cfg)
        self.joiner = Joiner(cfg)

    def joint_logits(self, enc: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """enc [B,T,J], targets [B,U] -> logits [B,T,U+1,V]."""
        pred = self.predictor(self.predictor.contexts_for_targets(targets))
        return self.joiner(enc[:, :, None, :], pred[:, None, :, :])

    def count_params(self) -> int:
        return sum(p.numel() for n, p in self.named_parameters() if not n.startswith("encoder.ctc_head"))


class StreamingEncoder(nn.Module):
    """The browser's encoder step: explicit fixed-size state in, state out (exported to ONNX as-is)."""

    def __init__(self, encoder: Encoder):
        super().__init__()
        self.enc = encoder
        self.cfg = encoder.cfg

    def state_spec(self) -> list[dict]:
        c = self.cfg
        spec = [
            {"name": "front_cache", "shape": [1, 1, c.d_model], "dtype": "float32"},
            {"name": "att_mask", "shape": [1, c.left_context], "dtype": "float32"},
        ]
        for i in range(c.n_layers):
            spec.append({"name": f"k_cache_{i}", "shape": [1, c.left_context, c.n_heads * c.layer_qk(i)],
                         "dtype": "float32"})
            spec.append({"name": f"v_cache_{i}", "shape": [1, c.left_context, c.n_heads * c.layer_vo(i)],
                         "dtype": "float32"})
        return spec

    def initial_state(self) -> list[torch.Tensor]:
        return [torch.zeros(s["shape"]) for s in self.state_spec()]

    def forward(self, features: torch.Tensor, front_cache: torch.Tensor, att_mask: torch.Tensor,
                *caches: torch.Tensor):
        c = self.cfg
        emb = self.enc._embed(features)  # [1, S+1, d]
        x = torch.cat([front_cache, emb], dim=1).transpose(1, 2)  # [1, d, S+2]
        x = self.enc.front_norm(self.enc.front_conv(x).transpose(1, 2))  # [1, S, d]
        new_front = emb[:, c.segment - 1:c.segment]
        valid = torch.cat([att_mask, torch.ones_like(att_mask[:, :c.segment])], dim=1)
        new_caches = []
        for i, layer in enumerate(self.enc.layers):
            x, kc, vc = layer.step(x, caches[2 * i], caches[2 * i + 1], valid)
            new_caches += [kc, vc]
        out = self.enc.out_proj(self.enc.final_norm(x))
        return (out, new_front, valid[:, c.segment:], *new_caches)


def stream_encode(model: Transducer, feats: torch.Tensor, pad_value: float) -> torch.Tensor:
    """Run StreamingEncoder chunk by chunk over one utterance feats [T,80] -> [ceil(T/4), J] (reference for tests
    and for streaming evaluation; the browser does exactly this)."""
    c = model.cfg
    step = StreamingEncoder(model.encoder)
    padded = model.encoder.pad_features(feats[None], pad_value)[0]
    state = step.initial_state()
    outs = []
    n_chunks = (padded.shape[0] - c.subsampling) // c.segment_frames
    for ci in range(n_chunks):
        start = ci * c.segment_frames
        chunk = padded[start:start + c.chunk_input_frames][None]
        out, *state = step(chunk, *state)
        outs.append(out[0])
    n_valid = -(-feats.shape[0] // c.subsampling)
    return torch.cat(outs, dim=0)[:n_valid]


@torch.no_grad()
def greedy_decode(model: Transducer, enc: torch.Tensor, max_symbols: int = 5) -> tuple[list[int], list[int]]:
    """Greedy transducer search over enc [T,J]. Returns (tokens, emission frame per token)."""
    c = model.cfg
    context = [0] * c.pred_context
    pred = model.predictor(torch.tensor([context]))[0]
    tokens: list[int] = []
    frames: list[int] = []
    for t in range(enc.shape[0]):
        for _ in range(max_symbols):
            k = int(model.joiner(enc[t], pred).argmax())
            if k == 0:
                break
            tokens.append(k)
            frames.append(t)
            context = context[1:] + [k]
            pred = model.predictor(torch.tensor([context]))[0]
    return tokens, frames


PRESETS: dict[str, dict] = {
    # default: trains on 2 CPU cores in hours; ~1.7 M params dense (≈6.5 MB fp32)
    "default": {},
    "small": dict(d_model=128, n_layers=5, n_heads=4, head_dim=32, ffn_dim=512, joiner_dim=192, pred_hidden=192),
    # tiny: for tests and smoke runs (seconds)
    "tiny": dict(d_model=32, n_layers=2, n_heads=2, head_dim=16, ffn_dim=64, joiner_dim=32, pred_embed=16,
                 pred_hidden=32, left_context=8, dropout=0.0),
}


def build_config(preset: str = "default", **overrides) -> ModelConfig:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {sorted(PRESETS)}")
    return ModelConfig(**{**PRESETS[preset], **overrides})
