"""The training-side dataset / batching API, and the CLI that builds corpora.

Manifests, audio loading and the progress line live in omnisparse.corpus_io (the corpus builders import them from
there, which keeps this module out of their import graph); they are re-exported here, where callers import them.
Manifest = JSONL, one utterance per line:
    {"id", "audio", "duration", "text", "speaker", "split", "source"}
`audio` is absolute or relative to the JSONL's folder; `text` is already normalised (omnisparse.text.normalize).

CLI (builders live in omnisparse.corpora and omnisparse.synth):
    python -m omnisparse.data synth --out /work/data/synth --hours 20 --seed 0 [--jobs 2]
    python -m omnisparse.data fsdd --root /work/shared/data/fsdd --out /work/data/fsdd
    python -m omnisparse.data librispeech --root DIR --out DIR
    python -m omnisparse.data pocketsphinx --out /work/data/real [--sdist pocketsphinx-5.1.1.tar.gz]
    python -m omnisparse.data realsets --out /work/data/real2 [--cache DIR] [--sources SOURCE ...]
"""
from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np
import torch

# re-exported: callers import these from here
from .corpus_io import (AudioError, Progress, Utterance, audio_duration, load_audio, read_manifest,  # noqa: F401
                        write_manifest)
from .features import LogMel
from .text import encode

if TYPE_CHECKING:
    from .augment import Augmenter

log = logging.getLogger("omnisparse.data")


# ----------------------------------------------------------------------------------------------------------- dataset
class AsrDataset(torch.utils.data.Dataset):
    """Utterance -> {"features": [T, 80], "tokens": [U], "id"}; None for corrupt audio (collate drops it)."""

    def __init__(self, utts: list[Utterance], frontend: LogMel, augment: "Augmenter | None" = None,
                 max_duration: float = 20.0, seed: int = 0) -> None:
        self.utts = [u for u in utts if u.duration <= max_duration]
        self.skipped_long = len(utts) - len(self.utts)
        if self.skipped_long:
            log.info("skipped %d utterances longer than %.1fs", self.skipped_long, max_duration)
        self.frontend = frontend
        self.augment = augment
        self.seed = seed
        self.epoch = 0
        self.num_corrupt = 0  # per process (each DataLoader worker counts its own)
        self.babble_sources = 4

    @property
    def durations(self) -> list[float]:
        return [u.duration for u in self.utts]

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.utts)

    def _babble_sources(self, i: int) -> list[torch.Tensor]:
        """Other utterances (first 4 s) chosen from (seed, epoch, i): deterministic, unlike a worker's history."""
        rng = np.random.default_rng([self.seed, self.epoch, i, 1])
        out = []
        for j in rng.choice(len(self.utts), size=min(self.babble_sources, len(self.utts)), replace=False):
            if int(j) == i:
                continue
            try:
                out.append(load_audio(self.utts[int(j)].audio, self.frontend.spec.sample_rate)[:4 * 16000])
            except AudioError:
                continue
        return out

    def __getitem__(self, i: int) -> dict[str, Any] | None:
        u = self.utts[i]
        try:
            wave = load_audio(u.audio, self.frontend.spec.sample_rate)
        except AudioError as err:
            self.num_corrupt += 1
            log.warning("corrupt audio skipped (%d so far): %s", self.num_corrupt, err)
            return None
        if self.augment is not None:
            # reproducible per (seed, epoch, index), independent of which worker runs it
            rng = np.random.default_rng([self.seed, self.epoch, i])
            wave = self.augment(wave, rng, lambda: self._babble_sources(i))
        with torch.no_grad():
            feats = self.frontend(wave)
            if self.augment is not None:
                feats = self.augment.spec_augment(feats, rng)
        if feats.shape[0] == 0:
            self.num_corrupt += 1
            return None
        return {"features": feats.float(), "tokens": torch.tensor(encode(u.text), dtype=torch.long), "id": u.id}


def collate(batch: list[dict | None], pad_value: float) -> dict[str, Any]:
    """Pad a list of dataset items; None entries are dropped and counted in "num_dropped"."""
    items = [b for b in batch if b is not None]
    dropped = len(batch) - len(items)
    dim = items[0]["features"].shape[-1] if items else 80
    t_max = max((b["features"].shape[0] for b in items), default=0)
    u_max = max((b["tokens"].numel() for b in items), default=0)
    feats = torch.full((len(items), t_max, dim), pad_value, dtype=torch.float32)
    tokens = torch.zeros((len(items), u_max), dtype=torch.long)
    for k, b in enumerate(items):
        feats[k, :b["features"].shape[0]] = b["features"]
        tokens[k, :b["tokens"].numel()] = b["tokens"]
    return {"features": feats,
            "feature_lens": torch.tensor([b["features"].shape[0] for b in items], dtype=torch.long),
            "tokens": tokens,
            "token_lens": torch.tensor([b["tokens"].numel() for b in items], dtype=torch.long),
            "ids": [b["id"] for b in items],
            "num_dropped": dropped}


class DurationBatchSampler(torch.utils.data.Sampler):
    """Batches of similar-duration utterances whose PADDED size (len x longest) stays within max_batch_seconds.

    Each epoch sorts by duration with a small random jitter (so batches differ between epochs), packs greedily and
    shuffles the batch order. All ranks build the same batch list from (seed, epoch); it is padded by repeating
    batches until it divides evenly, so every rank gets the same number of batches (DDP would hang otherwise).
    """

    def __init__(self, durations: list[float], max_batch_seconds: float, shuffle: bool = True, seed: int = 0,
                 num_replicas: int = 1, rank: int = 0, max_duration: float | None = None) -> None:
        if not 0 <= rank < num_replicas:
            raise ValueError(f"rank {rank} outside 0..{num_replicas - 1}")
        self.durations = list(durations)
        self.max_batch_seconds = max_batch_seconds
        self.shuffle = shuffle
        self.seed = seed
        self.num_replicas = num_replicas
        self.rank = rank
        self.indices = [i for i, d in enumerate(self.durations) if max_duration is None or d <= max_duration]
        self.skipped_long = len(self.durations) - len(self.indices)
        self.epoch = 0
        self.start = 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        """`start`: this epoch begins at its start-th batch (of this rank's list) - a resumed run skips the batches
        it already consumed without loading them."""
        self.epoch = epoch
        self.start = start

    def _batches(self) -> list[list[int]]:
        rng = random.Random(self.seed * 1_000_003 + self.epoch)
        if self.shuffle:
            key = {i: self.durations[i] * (1 + rng.uniform(-0.1, 0.1)) for i in self.indices}
        else:
            key = {i: self.durations[i] for i in self.indices}
        batches: list[list[int]] = []
        cur: list[int] = []
        longest = 0.0
        for i in sorted(self.indices, key=lambda j: (key[j], j)):
            d = self.durations[i]
            if cur and (len(cur) + 1) * max(longest, d) > self.max_batch_seconds:
                batches.append(cur)
                cur, longest = [], 0.0
            cur.append(i)
            longest = max(longest, d)
        if cur:
            batches.append(cur)
        if self.shuffle:
            rng.shuffle(batches)
        if batches and len(batches) % self.num_replicas:
            extra = self.num_replicas - len(batches) % self.num_replicas
            batches += [batches[k % len(batches)] for k in range(extra)]
        return batches[self.rank::self.num_replicas]

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self._batches()[self.start:])

    def __len__(self) -> int:
        return max(0, len(self._batches()) - self.start)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    from . import corpora, synth  # the builders (registry downloads, TTS engines) only this CLI needs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    torch.set_num_threads(1)
    p = argparse.ArgumentParser(prog="python -m omnisparse.data", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    synth.add_arguments(sub.add_parser("synth", help="build the multi-voice synthetic TTS corpus"))
    f = sub.add_parser("fsdd", help="manifests for the Free Spoken Digit Dataset (audio is not copied)")
    f.add_argument("--root", required=True)
    f.add_argument("--out", required=True)
    f.add_argument("--dev-fraction", type=float, default=0.04)
    ls = sub.add_parser("librispeech", help="manifests for a LibriSpeech directory tree")
    ls.add_argument("--root", required=True)
    ls.add_argument("--out", required=True)
    ps = sub.add_parser("pocketsphinx", help="real-speech test set from pocketsphinx's source package (PyPI)")
    ps.add_argument("--sdist", help="pocketsphinx-5.1.1.tar.gz; default: download it from PyPI into --out")
    ps.add_argument("--out", required=True)
    rs = sub.add_parser("realsets", help="dev/test sets of the transcribed human English recordings shipped in PyPI, "
                                         "npm and Debian packages (pinned versions + sha256)")
    rs.add_argument("--out", required=True)
    rs.add_argument("--cache", help="folder for the downloaded packages (default: OUT/packages); files already there "
                                    "with the pinned sha256 are not fetched again")
    rs.add_argument("--sources", nargs="+", help=f"subset of: {' '.join(corpora.REAL_PACKAGES)} (default: all)")
    args = p.parse_args(argv)
    if args.cmd == "synth":
        synth.run(args)
    elif args.cmd == "fsdd":
        counts = corpora.build_fsdd(args.root, args.out, args.dev_fraction)
        print(f"fsdd manifests in {args.out}: {counts}")
    elif args.cmd == "pocketsphinx":
        sdist = args.sdist or corpora.download_pypi_sdist(*corpora.POCKETSPHINX_SDIST, args.out)
        counts = corpora.build_pocketsphinx_real(sdist, args.out)
        print(f"pocketsphinx real-speech manifest in {args.out}: {counts}")
    elif args.cmd == "realsets":
        counts = corpora.fetch_real_sets(args.out, args.cache, args.sources)
        print(f"real-speech dev/test manifests in {args.out}: {counts}")
        for split in ("dev", "test"):
            per_source: dict[str, list[float]] = {}
            for u in read_manifest(Path(args.out) / f"{split}.jsonl"):
                per_source.setdefault(u.source, []).append(u.duration)
            for source, durations in per_source.items():
                print(f"  {split:4s} {source:22s} {len(durations):3d} recordings {sum(durations):7.1f} s")
    else:
        counts = corpora.build_librispeech(args.root, args.out)
        print(f"librispeech manifests in {args.out}: {counts}")


if __name__ == "__main__":
    main()
