#!/usr/bin/env bash
# The device benchmark in one command, for a machine lent with an NVIDIA GPU (through
# the device tool, with .carry named in `carry`; build it first with
# bench/gpu/build-carry.sh). It unpacks Node, dawn.node and the Vulkan loader, points
# the loader at the NVIDIA driver, checks the adapter and runs bench/gpu/device.bench.ts:
# transform benchmarks at 1M and 10M rows, printed as a table and written to $OUT.
# Usage (device tool): bash bench/gpu/run.sh [BUDGET_SECONDS [DEVICE_BENCH_OPTIONS…]]
#   (default 480 s; options such as --sizes 20000 --allow-software test it without a GPU)
set -uo pipefail
cd "$(dirname "$0")/../.."
budget=${1:-480}
shift || true
out=${OUT:-/tmp/geomask-device-out}
work=/tmp/geomask-device
mkdir -p "$work" "$out"

archive=.carry/geomask-device.tar.xz
if [[ ! -f $archive ]]; then
  echo "run.sh: $archive is missing; run bench/gpu/build-carry.sh here and name .carry in carry" >&2
  exit 2
fi
if command -v xz >/dev/null; then
  xz -dc "$archive" | tar -C "$work" -xf -
else
  python3 -c 'import lzma, sys, shutil; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$archive" | tar -C "$work" -xf -
fi

# The Vulkan loader, unpacked to / as the device notes describe, unless one is there.
if ! ldconfig -p | grep -q libvulkan.so.1; then
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ -f $icd && -z ${VK_DRIVER_FILES:-} ]]; then export VK_DRIVER_FILES=$icd; fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}

node="$work/node"
echo "run.sh: node $("$node" --version), $(nvidia-smi -L 2>/dev/null | head -1 || echo 'nvidia-smi missing')" >&2
"$node" "$work/device.mjs" --cli "$work/cli.mjs" --work "$work/data" --out "$out" --budget-s "$budget" "$@"
