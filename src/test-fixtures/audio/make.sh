#!/usr/bin/env bash
# Regenerates the CLI's tiny audio fixtures: 0.5 s of a 440 Hz sine at half scale (made here, so free of any rights),
# in every compressed format the CLI reads. Needs sox with libsox-fmt-all (FLAC, MP3 via LAME, Ogg Vorbis) and, for Opus
# (sox 14.4 cannot write it), the training venv's soundfile (libsndfile >= 1.1). Run from this folder.
set -euo pipefail
cd "$(dirname "$0")"
# + 0.25 s of digital silence: the last FLAC frame (3808 samples) is then a tiny constant frame, the case codec-parser
# 2.5 merges into the frame before it at end of input (see flacTail in src/cli/audio-input.ts)
sox -n -r 16000 -b 16 -c 1 tone-16k-mono.flac synth 0.5 sine 440 vol 0.5 pad 0 0.25
# the same samples decoded by sox's own libFLAC: the reference that our FLAC path must match exactly
sox tone-16k-mono.flac tone-16k-mono.wav
sox -n -r 22050 -c 2 -C 64 tone-22k-stereo.mp3 synth 0.5 sine 440 vol 0.5
sox -n -r 44100 -c 1 -C 0 tone-44k-mono.ogg synth 0.5 sine 440 vol 0.5
../../../.venv/bin/python - <<'PY'
import numpy as np, soundfile as sf
t = np.arange(24000) / 48000
sf.write('tone-48k-mono.opus', 0.5 * np.sin(2 * np.pi * 440 * t), 48000, format='OGG', subtype='OPUS')
PY
ls -l
