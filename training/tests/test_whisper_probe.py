import torch

from omnisparse.whisper_model import EncoderDims, HeadConfig, ModelConfigV2, StreamConfig, StreamingTransducer
from omnisparse.whisper_probe import cut_repeats, encoder_views


def test_cut_repeats_stops_before_the_first_repeated_trigram() -> None:
    assert cut_repeats("ten of clubs ten of clubs ten of") == "ten of clubs"
    assert cut_repeats("and mr john had then and mr john had then") == "and mr john had then"
    assert cut_repeats("rather rather rather rather") == "rather"
    # repeated words or bigrams are language, not a loop
    assert cut_repeats("five five nine five five") == "five five nine five five"
    assert cut_repeats("") == "" and cut_repeats("one two") == "one two"


def test_encoder_views_cover_utterance_and_pad() -> None:
    cfg = ModelConfigV2(encoder=EncoderDims(n_mels=80, d_model=16, n_heads=2, n_layers=2, ffn=24, n_positions=1500),
                        head=HeadConfig(hidden=12, joiner=10), stream=StreamConfig(chunk=4, right=2, left=8))
    torch.manual_seed(0)
    model = StreamingTransducer(cfg).eval()
    feats, silence = torch.randn(101, 80), torch.zeros(1, 40, 16)
    with torch.no_grad():
        views = encoder_views(model, feats, pad_frames=80, pad_value=-1.5, max_frames=300, silence=silence)
    # 101 + 80 mel frames -> 91 encoder frames; the utterance alone 51, + 40 silence rows
    assert views["stream_pad"].shape == (1, 91, 16) and views["full_own"].shape == (1, 91, 16)
    assert views["stream_const"].shape == (1, 91, 16)
    assert torch.equal(views["stream_const"][:, 51:], silence)
    # the streaming views agree on the utterance's frames up to the look-ahead: the pad only changes the last chunk
    assert torch.allclose(views["stream_pad"][:, :48], views["stream_const"][:, :48], atol=1e-5)
