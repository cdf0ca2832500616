"""Recipe v1 losses (omnisparse.train): RNN-T per target token, auxiliary CTC on the encoder, and in-place
distillation (KL over the RNN-T lattice) from the dense net to its subnets."""
from __future__ import annotations

from typing import Optional

import torch
import torch.nn.functional as F
import torchaudio
from torch import nn

from .model import Encoder, Transducer


def lattice_mask(enc_lens: torch.Tensor, token_lens: torch.Tensor, t_max: int, u_max: int) -> torch.Tensor:
    """Bool [B, T, U+1]: the (t, u) nodes of each utterance's RNN-T lattice."""
    t_ok = torch.arange(t_max)[None, :] < enc_lens[:, None]
    u_ok = torch.arange(u_max + 1)[None, :] <= token_lens[:, None]
    return t_ok[:, :, None] & u_ok[:, None, :]


def lattice_kl(student_logits: torch.Tensor, teacher_logp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over valid lattice nodes of KL(teacher || student) of the joiner's output distribution."""
    s_logp = F.log_softmax(student_logits, dim=-1)
    kl = (teacher_logp.exp() * (teacher_logp - s_logp)).sum(-1)
    return (kl * mask).sum() / mask.sum().clamp_min(1)


class TransducerLoss(nn.Module):
    """Wraps a Transducer so DDP sees one forward: RNN-T (+ aux CTC, + optional distillation) per target token."""

    def __init__(self, model: Transducer, pad_value: float, ctc_weight: float):
        super().__init__()
        self.model = model
        self.pad_value = pad_value
        self.ctc_weight = ctc_weight

    def forward(self, feats: torch.Tensor, feat_lens: torch.Tensor, tokens: torch.Tensor, token_lens: torch.Tensor,
                teacher_logp: Optional[torch.Tensor] = None, distill_weight: float = 0.0) -> dict[str, torch.Tensor]:
        m = self.model
        enc_lens = Encoder.output_lengths(feat_lens, m.cfg.subsampling)
        t_max = int(enc_lens.max())
        enc, hidden = m.encoder(feats, self.pad_value)
        enc, hidden = enc[:, :t_max], hidden[:, :t_max]
        logits = m.joint_logits(enc, tokens)
        n_tok = token_lens.sum().clamp_min(1).float()
        rnnt = torchaudio.functional.rnnt_loss(logits, tokens.int(), enc_lens.int(), token_lens.int(), blank=0,
                                               reduction="sum") / n_tok
        out = {"rnnt": rnnt, "loss": rnnt, "logits": logits}
        if self.ctc_weight > 0:
            lp = F.log_softmax(m.encoder.ctc_head(hidden), dim=-1).transpose(0, 1)  # [T, B, V]
            ctc = F.ctc_loss(lp, tokens, enc_lens, token_lens, blank=0, reduction="sum", zero_infinity=True) / n_tok
            out["ctc"] = ctc
            out["loss"] = out["loss"] + self.ctc_weight * ctc
        if teacher_logp is not None and distill_weight > 0:
            kl = lattice_kl(logits, teacher_logp, lattice_mask(enc_lens, token_lens, t_max, tokens.shape[1]))
            out["kl"] = kl
            out["loss"] = out["loss"] + distill_weight * kl
        return out
