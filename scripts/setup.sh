#!/usr/bin/env bash
# Sets up a fresh machine: system packages (Mesa lavapipe for WebGPU on the CPU, Chromium
# for the browser tests) and the npm packages, then builds the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-system.sh
npm ci --no-audit --no-fund
