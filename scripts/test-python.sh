#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/../training"
exec ../.venv/bin/python -m pytest "$@"
