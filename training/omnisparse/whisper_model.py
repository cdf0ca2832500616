"""Model family v2: Whisper tiny.en's encoder made exactly streaming, with a character transducer head.

Encoder (weights from omnisparse.pretrained): conv1 (k3, 80->d) GELU, conv2 (k3, stride 2) GELU -> 50 frames/s,
+ sinusoidal positions, pre-LN transformer layers, final LayerNorm. Three ways to run the same weights:

* `full`     - whole-utterance attention (Whisper's own mode; the teacher, and the second pass's mode).
* `chunked`  - the streaming mode in parallel (training): Emformer-style. Chunks of `chunk` encoder frames; every
               chunk also carries copies of its next `right` frames (right context), which are computed per chunk
               and thrown away. A chunk's frames and its right-context copies attend to the `left` centre frames
               before the chunk, the chunk's own centre frames and its own right-context copies. Nothing else.
* `step`     - the same streaming mode one chunk at a time with explicit caches (export, the browser): per-layer
               K/V of the last `left` centre frames, a validity mask, the conv front end's one-frame caches and a
               position counter. step-by-step == chunked exactly (tests check atol 1e-4).

The conv front end needs one mel frame past a chunk's last encoder frame, so a chunk consumes mel frames
[16c, 16c + 16 + 2*right + 1): 16 new frames + `lookahead_mel` frames seen again by the next chunk.

Positions are bounded forever: frame u uses row (u + offset) mod n_positions; training draws random offsets so the
wrap (row 1499 -> 0) is seen inside attention windows, and the streaming counter is kept modulo n_positions.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class StreamConfig:
    chunk: int = 8      # encoder frames per chunk (8 x 20 ms = 160 ms)
    right: int = 2      # right-context encoder frames recomputed per chunk (40 ms)
    left: int = 128     # left-context encoder frames in the K/V caches (2.56 s)

    @property
    def mel_per_chunk(self) -> int:
        return 2 * self.chunk

    @property
    def lookahead_mel(self) -> int:
        return 2 * self.right + 1

    @property
    def chunk_input_mel(self) -> int:
        return self.mel_per_chunk + self.lookahead_mel


@dataclass
class EncoderDims:
    n_mels: int = 80
    d_model: int = 384
    n_heads: int = 6
    n_layers: int = 4
    ffn: int = 1536
    n_positions: int = 1500
    # structured pruning keeps only some heads / FFN neurons per layer (None = all)
    heads: Optional[list[int]] = None
    ffns: Optional[list[int]] = None

    def layer_heads(self, i: int) -> int:
        return self.n_heads if self.heads is None else self.heads[i]

    def layer_ffn(self, i: int) -> int:
        return self.ffn if self.ffns is None else self.ffns[i]

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads


@dataclass
class HeadConfig:
    vocab: int = 29
    joiner: int = 320
    hidden: int = 512      # encoder-side readout MLP width
    stack: int = 2         # encoder frames stacked per transducer frame (50 -> 25 frames/s)
    context: int = 2       # stateless predictor: last `context` tokens
    blank: int = 0


@dataclass
class ModelConfigV2:
    encoder: EncoderDims = field(default_factory=EncoderDims)
    stream: StreamConfig = field(default_factory=StreamConfig)
    head: HeadConfig = field(default_factory=HeadConfig)

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> "ModelConfigV2":
        return ModelConfigV2(EncoderDims(**d["encoder"]), StreamConfig(**d["stream"]), HeadConfig(**d["head"]))


# ----------------------------------------------------------------------------------------------------------- encoder
class Layer(nn.Module):
    def __init__(self, d: int, n_heads: int, d_head: int, ffn: int) -> None:
        super().__init__()
        self.n_heads, self.d_head = n_heads, d_head
        a = n_heads * d_head
        self.ln_att = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * a)
        self.out = nn.Linear(a, d)
        self.ln_ffn = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, ffn)
        self.fc2 = nn.Linear(ffn, d)
        # Supernet masks (omnisparse.omni): 0/1 per attention head and per FFN neuron. Zeroing a head's output or a
        # neuron's activation is exactly removing its rows/columns, which export does physically.
        self.head_mask: Optional[torch.Tensor] = None
        self.ffn_mask: Optional[torch.Tensor] = None

    def project(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """[B, S, d] -> q, k, v as [B, S, heads * d_head]."""
        q, k, v = self.qkv(self.ln_att(x)).chunk(3, dim=-1)
        return q, k, v

    def attend(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
        """q [B, Sq, A], k/v [B, Sk, A], bias broadcastable to [B, H, Sq, Sk] (0 or -inf) -> [B, Sq, A]."""
        b, sq, _ = q.shape
        h, dh = self.n_heads, self.d_head
        if h == 0:
            return q.new_zeros(b, sq, 0)
        qh = q.view(b, sq, h, dh).transpose(1, 2)
        kh = k.view(b, -1, h, dh).transpose(1, 2)
        vh = v.view(b, -1, h, dh).transpose(1, 2)
        scores = qh @ kh.transpose(-1, -2) / math.sqrt(dh)
        if bias is not None:
            scores = scores + bias
        o = scores.softmax(-1) @ vh                      # [B, H, Sq, dh]
        if self.head_mask is not None:
            o = o * self.head_mask[None, :, None, None]
        return o.transpose(1, 2).reshape(b, sq, h * dh)

    def ffn_block(self, x: torch.Tensor) -> torch.Tensor:
        hdn = F.gelu(self.fc1(self.ln_ffn(x)))
        if self.ffn_mask is not None:
            hdn = hdn * self.ffn_mask
        return x + self.fc2(hdn)

    def forward(self, x: torch.Tensor, bias: Optional[torch.Tensor]) -> torch.Tensor:
        q, k, v = self.project(x)
        x = x + self.out(self.attend(q, k, v, bias))
        return self.ffn_block(x)

    def forward_blocks(self, xc: torch.Tensor, xr: torch.Tensor, s: StreamConfig) -> tuple[torch.Tensor, torch.Tensor]:
        """The chunked streaming mode computed block-wise: centre frames xc [B, n*chunk, d] and right-context copies
        xr [B, n*right, d]. Each chunk's queries see a window of left + chunk centre keys plus its own right
        context, so the cost grows with n * window rather than with the square of the utterance."""
        b, nc, d = xc.shape
        c, r, left = s.chunk, s.right, s.left
        n = nc // c
        h, dh = self.n_heads, self.d_head
        q, k, v = self.project(torch.cat([xc, xr], dim=1))
        a = h * dh

        def windows(t: torch.Tensor) -> torch.Tensor:       # [B, n*c + n*r, A] -> keys per chunk [B, n, W, A]
            centre = F.pad(t[:, :nc], (0, 0, left, 0))      # zero rows stand for frames before the start
            win = centre.unfold(1, left + c, c)[:, :n]       # [B, n, A, left + c]
            return torch.cat([win.transpose(2, 3), t[:, nc:].reshape(b, n, r, a)], dim=2)

        kw, vw = windows(k), windows(v)
        qw = torch.cat([q[:, :nc].reshape(b, n, c, a), q[:, nc:].reshape(b, n, r, a)], dim=2)  # [B, n, c+r, A]
        if h > 0:
            qh = qw.view(b, n, c + r, h, dh).transpose(2, 3)
            kh = kw.reshape(b, n, -1, h, dh).transpose(2, 3)
            vh = vw.reshape(b, n, -1, h, dh).transpose(2, 3)
            scores = qh @ kh.transpose(-1, -2) / math.sqrt(dh)               # [B, n, H, c+r, W]
            first = torch.arange(n, device=xc.device)[:, None] * c - left + torch.arange(left + c, device=xc.device)
            invalid = torch.cat([first < 0, torch.zeros(n, r, dtype=torch.bool, device=xc.device)], dim=1)
            scores = scores.masked_fill(invalid[None, :, None, None, :], float("-inf"))
            o = scores.softmax(-1) @ vh                                        # [B, n, H, c+r, dh]
            if self.head_mask is not None:
                o = o * self.head_mask[None, None, :, None, None]
            att = o.transpose(2, 3).reshape(b, n, c + r, a)
        else:
            att = qw.new_zeros(b, n, c + r, 0)
        y = self.out(att)
        yc = xc + y[:, :, :c].reshape(b, nc, d)
        yr = xr + y[:, :, c:].reshape(b, n * r, d)
        return self.ffn_block(yc), self.ffn_block(yr)


def chunked_bias(n_chunks: int, s: StreamConfig, device=None) -> torch.Tensor:
    """Additive mask [S, S] for the sequence [centre frames (n*chunk); right-context copies (n*right)]."""
    c, r, left = s.chunk, s.right, s.left
    n_c, n_r = n_chunks * c, n_chunks * r
    q_chunk = torch.cat([torch.arange(n_c, device=device) // c, torch.arange(n_r, device=device) // max(r, 1)])
    k_centre = torch.arange(n_c, device=device)
    lo = (q_chunk * c - left)[:, None]
    hi = (q_chunk * c + c)[:, None]
    allow_centre = (k_centre[None, :] >= lo) & (k_centre[None, :] < hi)
    k_rc_chunk = torch.arange(n_r, device=device) // max(r, 1)
    allow_rc = k_rc_chunk[None, :] == q_chunk[:, None]
    allow = torch.cat([allow_centre, allow_rc], dim=1)
    bias = torch.zeros(allow.shape, device=device)
    return bias.masked_fill(~allow, float("-inf"))


class WhisperEncoder(nn.Module):
    positions: torch.Tensor

    def __init__(self, dims: EncoderDims) -> None:
        super().__init__()
        self.dims = dims
        d = dims.d_model
        self.conv1 = nn.Conv1d(dims.n_mels, d, 3, padding=1)
        self.conv2 = nn.Conv1d(d, d, 3, stride=2, padding=1)
        self.register_buffer("positions", torch.zeros(dims.n_positions, d))
        self.layers = nn.ModuleList(Layer(d, dims.layer_heads(i), dims.d_head, dims.layer_ffn(i))
                                    for i in range(dims.n_layers))
        self.ln_post = nn.LayerNorm(d)

    # -- shared pieces
    def embed(self, mel: torch.Tensor, offset: torch.Tensor | int = 0) -> torch.Tensor:
        """mel [B, T, n_mels] -> [B, U, d] with U = (T - 1) // 2 + 1, conv zero-padded at both ends."""
        x = F.gelu(self.conv1(mel.transpose(1, 2)))
        x = F.gelu(self.conv2(x)).transpose(1, 2)
        u = x.shape[1]
        if isinstance(offset, int) and offset == 0 and u <= self.dims.n_positions:
            # full-context mode (<= 30 s for Whisper's table): no wrap, so no Mod op in ONNX
            return x + self.positions.index_select(0, torch.arange(u, device=mel.device))
        idx = torch.arange(u, device=mel.device)
        off = torch.as_tensor(offset, device=mel.device).reshape(-1, 1)
        rows = (idx[None, :] + off) % self.dims.n_positions  # [B or 1, U]
        return x + self.positions[rows]

    @staticmethod
    def frames_for_mel(t_mel: int) -> int:
        return (t_mel - 1) // 2 + 1

    # -- full context
    def forward_full(self, mel: torch.Tensor, offset: torch.Tensor | int = 0,
                     lengths: Optional[torch.Tensor] = None, taps: tuple[int, ...] = ()) -> list[torch.Tensor]:
        """Whole-utterance attention. Returns [final output] + hidden states after the layers in `taps`.
        `lengths` (encoder frames) masks padded keys."""
        x = self.embed(mel, offset)
        bias = None
        if lengths is not None:
            keys = torch.arange(x.shape[1], device=x.device)[None, :] < lengths[:, None]
            bias = torch.zeros(keys.shape, device=x.device).masked_fill(~keys, float("-inf"))[:, None, None, :]
        hidden = []
        for i, layer in enumerate(self.layers):
            x = layer(x, bias)
            if i in taps:
                hidden.append(x)
        return [self.ln_post(x)] + hidden

    # -- streaming, parallel form
    def pad_for_chunks(self, mel: torch.Tensor, s: StreamConfig, pad_value: float) -> tuple[torch.Tensor, int]:
        """Pad mel [B, T, F] with `pad_value` frames to n_chunks * mel_per_chunk + lookahead_mel frames."""
        t = mel.shape[1]
        n = max(1, math.ceil(t / s.mel_per_chunk))
        want = n * s.mel_per_chunk + s.lookahead_mel
        return F.pad(mel, (0, 0, 0, want - t), value=pad_value), n

    def forward_chunked(self, mel: torch.Tensor, s: StreamConfig, pad_value: float,
                        offset: torch.Tensor | int = 0, taps: tuple[int, ...] = (), masked: bool = False
                        ) -> list[torch.Tensor]:
        """The streaming mode, all chunks at once. mel [B, T, F] -> [final [B, n*chunk, d]] + tapped hidden states
        (centre frames only). Frames past the real audio are computed on padding; callers drop them.
        `masked` computes it as one sequence with an attention mask (the reference formulation; slower)."""
        mel, n = self.pad_for_chunks(mel, s, pad_value)
        x = self.embed(mel, offset)                        # [B, 8n + 3, d]; frames < 8n + 2r are exact
        c, r = s.chunk, s.right
        centre = x[:, :n * c]
        rc_idx = (torch.arange(n, device=x.device)[:, None] * c + c + torch.arange(r, device=x.device)[None, :])
        rc = x[:, rc_idx.reshape(-1)]
        hidden = []
        for i, layer in enumerate(self.layers):
            if masked:
                seq = layer(torch.cat([centre, rc], dim=1), chunked_bias(n, s, x.device))
                centre, rc = seq[:, :n * c], seq[:, n * c:]
            else:
                centre, rc = layer.forward_blocks(centre, rc, s)
            if i in taps:
                hidden.append(centre)
        return [self.ln_post(centre)] + hidden

    # -- streaming, one chunk at a time
    def initial_state(self, batch: int = 1) -> dict[str, torch.Tensor]:
        d = self.dims.d_model
        st: dict[str, torch.Tensor] = {
            "mel_cache": torch.zeros(batch, self.dims.n_mels),
            "conv_cache": torch.zeros(batch, d),
            "position": torch.zeros(batch, dtype=torch.long),
        }
        return st

    def initial_stream_state(self, s: StreamConfig, batch: int = 1) -> dict[str, torch.Tensor]:
        st = self.initial_state(batch)
        st["valid"] = torch.zeros(batch, s.left)
        for i, layer in enumerate(self.layers):
            a = layer.n_heads * layer.d_head
            st[f"k{i}"] = torch.zeros(batch, s.left, a)
            st[f"v{i}"] = torch.zeros(batch, s.left, a)
        return st

    def step(self, mel: torch.Tensor, state: dict[str, torch.Tensor], s: StreamConfig
             ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """mel [B, chunk_input_mel, F] = mel frames [16c, 16c + chunk_input_mel) -> (out [B, chunk, d], new state)."""
        c, r = s.chunk, s.right
        m = torch.cat([state["mel_cache"][:, None, :], mel], dim=1)              # mel 16c-1 .. 16c+20
        a = F.gelu(F.conv1d(m.transpose(1, 2), self.conv1.weight, self.conv1.bias))  # a[16c .. 16c+2c+2r]
        a_all = torch.cat([state["conv_cache"][:, :, None], a], dim=2)            # a[16c-1 ..]
        x = F.gelu(F.conv1d(a_all, self.conv2.weight, self.conv2.bias, stride=2)).transpose(1, 2)
        x = x[:, :c + r]
        # positions wrap at the table's end; written as one conditional subtraction (the counter stays below the
        # table size), because ONNX Mod has no onnxruntime-web WebGPU kernel
        p_max = self.dims.n_positions
        rows = state["position"][:, None] + torch.arange(c + r, device=mel.device)[None, :]
        rows = rows - p_max * (rows >= p_max).long()
        x = x + self.positions[rows]
        nxt = state["position"] + c
        new: dict[str, torch.Tensor] = {
            "mel_cache": mel[:, s.mel_per_chunk - 1],
            "conv_cache": a[:, :, s.mel_per_chunk - 1],
            "position": nxt - p_max * (nxt >= p_max).long(),
        }
        valid = state["valid"]
        b = mel.shape[0]
        bias = torch.cat([torch.zeros_like(valid).masked_fill(valid < 0.5, float("-inf")),
                          valid.new_zeros(b, c + r)], dim=1)[:, None, None, :]
        for i, layer in enumerate(self.layers):
            q, k, v = layer.project(x)
            kc, vc = state[f"k{i}"], state[f"v{i}"]
            att = layer.attend(q, torch.cat([kc, k], dim=1), torch.cat([vc, v], dim=1), bias)
            x = layer.ffn_block(x + layer.out(att))
            new[f"k{i}"] = torch.cat([kc, k[:, :c]], dim=1)[:, -s.left:]
            new[f"v{i}"] = torch.cat([vc, v[:, :c]], dim=1)[:, -s.left:]
        new["valid"] = torch.cat([valid, valid.new_ones(b, c)], dim=1)[:, -s.left:]
        return self.ln_post(x[:, :c]), new


def stream_encode(enc: WhisperEncoder, mel: torch.Tensor, s: StreamConfig, pad_value: float) -> torch.Tensor:
    """Chunk-by-chunk reference: mel [B, T, F] -> [B, n*chunk, d], the same as forward_chunked(offset 0)."""
    mel, n = enc.pad_for_chunks(mel, s, pad_value)
    state = enc.initial_stream_state(s, mel.shape[0])
    outs = []
    for i in range(n):
        o, state = enc.step(mel[:, i * s.mel_per_chunk: i * s.mel_per_chunk + s.chunk_input_mel], state, s)
        outs.append(o)
    return torch.cat(outs, dim=1)


# -------------------------------------------------------------------------------------------------- transducer head
class Readout(nn.Module):
    """Encoder frames [B, U, d] -> transducer frames [B, U // stack, joiner] (stack neighbours, 2-layer MLP)."""

    def __init__(self, d: int, h: HeadConfig) -> None:
        super().__init__()
        self.stack = h.stack
        self.fc1 = nn.Linear(d * h.stack, h.hidden)
        self.fc2 = nn.Linear(h.hidden, h.joiner)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, u, d = x.shape
        u = u // self.stack * self.stack
        x = x[:, :u].reshape(b, u // self.stack, d * self.stack)
        return self.fc2(F.gelu(self.fc1(x)))


class Predictor(nn.Module):
    """Stateless: the last `context` non-blank tokens (blank pads the start) -> [N, joiner]."""

    def __init__(self, h: HeadConfig) -> None:
        super().__init__()
        self.context = h.context
        self.embed = nn.Embedding(h.vocab, h.joiner)
        self.proj = nn.Linear(h.joiner * h.context, h.joiner)

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        e = self.embed(context)                        # [.., context, J]
        return self.proj(F.gelu(e.flatten(-2)))

    def contexts_for_targets(self, targets: torch.Tensor, blank: int = 0) -> torch.Tensor:
        """targets [B, U] -> contexts [B, U + 1, context]: position j sees targets[j - context .. j - 1]."""
        b, _ = targets.shape
        padded = F.pad(targets, (self.context, 0), value=blank)
        return padded.unfold(1, self.context, 1)        # [B, U + 1, context]


class Joiner(nn.Module):
    def __init__(self, h: HeadConfig) -> None:
        super().__init__()
        self.out = nn.Linear(h.joiner, h.vocab)

    def forward(self, enc: torch.Tensor, pred: torch.Tensor) -> torch.Tensor:
        return self.out(torch.tanh(enc + pred))


class StreamingTransducer(nn.Module):
    def __init__(self, cfg: ModelConfigV2) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = WhisperEncoder(cfg.encoder)
        self.readout = Readout(cfg.encoder.d_model, cfg.head)
        self.predictor = Predictor(cfg.head)
        self.joiner = Joiner(cfg.head)
        # training-only auxiliary CTC output on the readout frames: it finds the alignment long before the
        # transducer leaves its all-blank plateau (not exported, not counted)
        self.ctc = nn.Linear(cfg.head.joiner, cfg.head.vocab)

    def head_frames(self, enc_frames: torch.Tensor) -> torch.Tensor:
        return enc_frames // self.cfg.head.stack

    def joint_logits(self, enc: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """enc [B, T, J] (readout output), targets [B, U] -> logits [B, T, U + 1, V]."""
        pred = self.predictor(self.predictor.contexts_for_targets(targets, self.cfg.head.blank))
        return self.joiner(enc[:, :, None, :], pred[:, None, :, :])

    def count_params(self) -> int:
        """Parameters of what ships (encoder, readout, predictor, joiner)."""
        return sum(p.numel() for n, p in self.named_parameters() if not n.startswith("ctc."))

    def load_weights(self, sd: dict[str, torch.Tensor]) -> None:
        """Strict, except that checkpoints written before the auxiliary CTC output existed may lack it."""
        missing, unexpected = self.load_state_dict(sd, strict=False)
        bad = [k for k in missing if not k.startswith("ctc.")] + list(unexpected)
        if bad:
            raise KeyError(f"checkpoint does not fit the model: {bad[:5]}")


def greedy_decode(model: StreamingTransducer, enc: torch.Tensor, max_symbols: int = 5) -> tuple[list[int], list[int]]:
    """enc [T, J] (readout output of one utterance) -> (tokens, frame index of each token). Same rule as the app."""
    h = model.cfg.head
    ctx = [h.blank] * h.context
    tokens: list[int] = []
    frames: list[int] = []
    with torch.no_grad():
        pred = model.predictor(torch.tensor([ctx]))
        for t in range(enc.shape[0]):
            for _ in range(max_symbols):
                k = int(model.joiner(enc[t:t + 1], pred).argmax(-1))
                if k == h.blank:
                    break
                tokens.append(k)
                frames.append(t)
                ctx = ctx[1:] + [k]
                pred = model.predictor(torch.tensor([ctx]))
    return tokens, frames


def from_pretrained(cfg: Optional[ModelConfigV2] = None, model_bin: Optional[str] = None) -> StreamingTransducer:
    """A transducer whose encoder holds Whisper tiny.en's weights (head randomly initialised)."""
    from .pretrained import fetch_whisper_tiny_en, read_ct2_model, whisper_encoder_state

    path = model_bin or str(fetch_whisper_tiny_en() / "model.bin")
    sd, dims = whisper_encoder_state(read_ct2_model(path, prefix="encoder/"))
    cfg = cfg or ModelConfigV2()
    for k, v in dims.items():
        setattr(cfg.encoder, k, v)
    model = StreamingTransducer(cfg)
    model.encoder.load_state_dict(sd)
    return model
