"""Whisper tiny.en's own text decoder (from the same pinned wheel as the encoder) for the full-context second pass.

At an endpoint the app re-encodes the utterance in full-context mode and reads it with this decoder (issue "Accurate
finals"). Two graphs, because the cross-attention keys/values depend only on the audio: `cross` (encoder hidden ->
per-layer K/V, once per utterance) and `step` (new tokens + self-attention caches + cross K/V -> logits of the last
token + grown caches, once per token). Greedy search with Whisper's suppression rules, the same rule as the app
(src/asr/final-pass.ts), so the Python numbers are the browser's numbers.

    python -m omnisparse.whisper_decoder --data realtest=T.jsonl --ckpt CKPT.pt   # WER of the second pass in PyTorch
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .pretrained import Ct2Model, PretrainedError


@dataclass
class DecoderDims:
    n_layers: int = 4
    d_model: int = 384
    n_heads: int = 6
    ffn: int = 1536
    vocab: int = 51864
    n_positions: int = 448


@dataclass
class TokenRules:
    """Whisper tiny.en's special ids and suppression lists (from the wheel's config.json)."""
    eot: int = 50256
    sot: int = 50257
    no_timestamps: int = 50362
    suppress: list[int] = field(default_factory=list)
    begin_suppress: list[int] = field(default_factory=lambda: [220, 50256])
    max_tokens: int = 224
    # a loop guard: at most base + per_second x the utterance's seconds tokens (English speech: ~4 tokens/s). With
    # seconds of silence appended Whisper ends by itself (model card); the guard catches what is left.
    base_tokens: int = 4
    tokens_per_second: float = 6.0
    # the app keeps the streaming line when Whisper's mean token log-probability is below this (manifest
    # finalPass.whisper.minAvgLogprob): on a lone short word Whisper writes a likely word it did not hear ("bye",
    # "thanks" for a spoken digit). Chosen on the dev sets (real dev + FSDD dev, v2.2 streaming text, 2026-12-06):
    # real dev WER 11.4 -> 11.7 %, FSDD dev 48.9 -> 33.0 %; the model card has the test sets.
    min_avg_logprob: float = -0.8
    # a stricter bound for a line of one word (after normalization; manifest minAvgLogprobOneWord): the lone-word
    # guesses ("Bye." for *five*) score between the two. Chosen on the same dev sets with v2.5's streaming text
    # (one-word bound -0.8 ... 0, the general bound kept at -0.8): real dev WER 11.7 -> 11.7 %, FSDD dev 30.7 -> 26.1 %
    # at -0.5; -0.4 gave 12.5 / 23.9 (a right, short real word lost), -0.6 11.7 / 27.3.
    min_avg_logprob_one_word: float = -0.5

    @property
    def prompt(self) -> list[int]:
        return [self.sot, self.no_timestamps]

    def limit(self, seconds: Optional[float] = None) -> int:
        cap = self.max_tokens if seconds is None else int(self.base_tokens + self.tokens_per_second * seconds)
        return min(self.max_tokens, cap)


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, causal_from: Optional[int]) -> torch.Tensor:
    """q [B, N, d], k/v [B, S, d] -> [B, N, d]; causal_from = S - N makes query j see keys <= causal_from + j."""
    b, n, d = q.shape
    s = k.shape[1]
    dh = d // heads
    qh = q.reshape(b, n, heads, dh).transpose(1, 2)
    kh = k.reshape(b, s, heads, dh).transpose(1, 2)
    vh = v.reshape(b, s, heads, dh).transpose(1, 2)
    w = qh @ kh.transpose(-1, -2) / (dh ** 0.5)
    if causal_from is not None and n > 1:
        allowed = torch.arange(s)[None, :] <= (torch.arange(n)[:, None] + (s - n))
        w = w.masked_fill(~allowed, float("-inf"))
    return (w.softmax(-1) @ vh).transpose(1, 2).reshape(b, n, d)


class DecoderLayer(nn.Module):
    def __init__(self, d: int, heads: int, ffn: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln_self = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.self_out = nn.Linear(d, d)
        self.ln_cross = nn.LayerNorm(d)
        self.cross_q = nn.Linear(d, d)
        self.cross_kv = nn.Linear(d, 2 * d)
        self.cross_out = nn.Linear(d, d)
        self.ln_ffn = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, ffn)
        self.fc2 = nn.Linear(ffn, d)

    def forward(self, x: torch.Tensor, past_k: torch.Tensor, past_v: torch.Tensor, cross_k: torch.Tensor,
                cross_v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        q, k, v = self.qkv(self.ln_self(x)).chunk(3, dim=-1)
        k = torch.cat([past_k, k], dim=1)
        v = torch.cat([past_v, v], dim=1)
        x = x + self.self_out(_attend(q, k, v, self.heads, causal_from=0))
        x = x + self.cross_out(_attend(self.cross_q(self.ln_cross(x)), cross_k, cross_v, self.heads, None))
        x = x + self.fc2(F.gelu(self.fc1(self.ln_ffn(x))))
        return x, k, v


class WhisperDecoder(nn.Module):
    def __init__(self, dims: DecoderDims) -> None:
        super().__init__()
        self.dims = dims
        self.embed = nn.Embedding(dims.vocab, dims.d_model)     # tied with the output projection
        self.register_buffer("positions", torch.zeros(dims.n_positions, dims.d_model))
        self.layers = nn.ModuleList(DecoderLayer(dims.d_model, dims.n_heads, dims.ffn) for _ in range(dims.n_layers))
        self.ln = nn.LayerNorm(dims.d_model)

    def cross(self, hidden: torch.Tensor) -> list[torch.Tensor]:
        """encoder hidden [B, U, d] -> [k0, v0, k1, v1, ...], each [B, U, d]."""
        out: list[torch.Tensor] = []
        for layer in self.layers:
            out.extend(layer.cross_kv(hidden).chunk(2, dim=-1))
        return out

    def step(self, tokens: torch.Tensor, past: list[torch.Tensor], cross: list[torch.Tensor],
             embedded: Optional[torch.Tensor] = None) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """tokens [B, N] after P past tokens (past = [k0, v0, ...] each [B, P, d]) -> (logits of the last token [B, V],
        grown caches [B, P + N, d])."""
        p = past[0].shape[1]
        x = self.embed(tokens) if embedded is None else embedded
        x = x + self.positions[p:p + tokens.shape[1]]
        grown: list[torch.Tensor] = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, past[2 * i], past[2 * i + 1], cross[2 * i], cross[2 * i + 1])
            grown += [k, v]
        return self.logits(self.ln(x[:, -1])), grown

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.embed.weight.t()

    def empty_past(self, batch: int = 1) -> list[torch.Tensor]:
        return [torch.zeros(batch, 0, self.dims.d_model) for _ in range(2 * self.dims.n_layers)]


def decoder_state(model: Ct2Model) -> tuple[dict[str, torch.Tensor], DecoderDims]:
    """Map CTranslate2 Whisper decoder variables onto WhisperDecoder's state_dict keys (float32)."""
    v = model.variables
    if "decoder/embeddings/weight" not in v:
        raise PretrainedError("no Whisper decoder in this model.bin")
    t = {k: torch.from_numpy(np.array(a, dtype=np.float32)) for k, a in v.items()
         if k.startswith("decoder/") and a.ndim > 0}
    n_layers = 1 + max(int(k.split("/")[1][len("layer_"):]) for k in t
                       if k.split("/")[1].startswith("layer_") and k.split("/")[1][len("layer_"):].isdigit())
    sd = {"embed.weight": t["decoder/embeddings/weight"], "positions": t["decoder/position_encodings/encodings"],
          "ln.weight": t["decoder/layer_norm/gamma"], "ln.bias": t["decoder/layer_norm/beta"]}
    names = {"ln_self": "self_attention/layer_norm", "qkv": "self_attention/linear_0",
             "self_out": "self_attention/linear_1", "ln_cross": "attention/layer_norm", "cross_q": "attention/linear_0",
             "cross_kv": "attention/linear_1", "cross_out": "attention/linear_2", "ln_ffn": "ffn/layer_norm",
             "fc1": "ffn/linear_0", "fc2": "ffn/linear_1"}
    for i in range(n_layers):
        for ours, theirs in names.items():
            src = f"decoder/layer_{i}/{theirs}/"
            if ours.startswith("ln_"):
                sd[f"layers.{i}.{ours}.weight"] = t[src + "gamma"]
                sd[f"layers.{i}.{ours}.bias"] = t[src + "beta"]
            else:
                sd[f"layers.{i}.{ours}.weight"] = t[src + "weight"]
                sd[f"layers.{i}.{ours}.bias"] = t[src + "bias"]
    heads = int(v["decoder/num_heads"]) if "decoder/num_heads" in v else 6
    dims = DecoderDims(n_layers=n_layers, d_model=sd["ln.weight"].shape[0], n_heads=heads,
                       ffn=sd["layers.0.fc1.weight"].shape[0], vocab=sd["embed.weight"].shape[0],
                       n_positions=sd["positions"].shape[0])
    return sd, dims


def load_decoder(model_bin: Optional[str] = None) -> WhisperDecoder:
    from .pretrained import fetch_whisper_tiny_en, read_ct2_model

    path = model_bin or str(fetch_whisper_tiny_en() / "model.bin")
    sd, dims = decoder_state(read_ct2_model(path, prefix="decoder/"))
    dec = WhisperDecoder(dims)
    dec.load_state_dict(sd)
    return dec.eval()


def token_rules(model_dir: Path) -> TokenRules:
    cfg = json.loads((model_dir / "config.json").read_text())
    return TokenRules(suppress=[int(i) for i in cfg.get("suppress_ids", [])],
                      begin_suppress=[int(i) for i in cfg.get("suppress_ids_begin", [220, 50256])])


# ------------------------------------------------------------------------------------------------------- tokenizer
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character table (byte-level BPE); the app has the same table."""
    keep = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def read_vocabulary(model_dir: Path) -> list[str]:
    lines = (model_dir / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def detokenize(ids: list[int], vocab: list[str], eot: int = 50256) -> str:
    back = {c: b for b, c in bytes_to_unicode().items()}
    raw = bytearray()
    for i in ids:
        if i >= eot:
            continue
        raw.extend(back[c] for c in vocab[i])
    return raw.decode("utf-8", errors="replace").strip()


# ----------------------------------------------------------------------------------------------------------- search
@torch.no_grad()
def greedy(dec: WhisperDecoder, hidden: torch.Tensor, rules: TokenRules, seconds: Optional[float] = None) -> list[int]:
    """hidden [1, U, d] (full-context encoder output) -> generated ids (without prompt and eot); `seconds`: the
    utterance's length without the appended silence (the loop guard)."""
    cross = dec.cross(hidden)
    past = dec.empty_past()
    tokens = torch.tensor([rules.prompt])
    out: list[int] = []
    banned = torch.zeros(dec.dims.vocab, dtype=torch.bool)
    banned[rules.sot:] = True
    banned[[i for i in rules.suppress if i < dec.dims.vocab]] = True
    limit = min(rules.limit(seconds), dec.dims.n_positions - len(rules.prompt))
    while len(out) < limit:
        logits, past = dec.step(tokens, past, cross)
        logits = logits[0].masked_fill(banned, float("-inf"))
        if not out:
            logits[rules.begin_suppress] = float("-inf")
        k = int(logits.argmax())
        if k == rules.eot:
            break
        out.append(k)
        tokens = torch.tensor([[k]])
    return out
