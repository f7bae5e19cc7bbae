#!/usr/bin/env bash
# Install the system packages ehr-geomask needs on Debian bookworm:
# Mesa's lavapipe Vulkan driver from bookworm-backports (bookworm's own Mesa 22.3
# lacks features Dawn requires) and Debian's Chromium for the browser tests.
# Safe to run again: it skips what is already installed.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  sudo=sudo
else
  sudo=
fi

sources=/etc/apt/sources.list.d/debian.sources
backports=/etc/apt/sources.list.d/bookworm-backports.sources

if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # Use the mirror this machine already uses for bookworm.
  uri=$(awk '/^URIs:/ { print $2; exit }' "$sources" 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  echo "install-system: adding bookworm-backports from $uri" >&2
  $sudo tee "$backports" >/dev/null <<SOURCES
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  updated=0
fi

need_mesa=1
if dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo; then
  need_mesa=0
fi
need_chromium=1
if [[ -x /usr/lib/chromium/chromium ]]; then
  need_chromium=0
fi
# GNU time measures peak memory in `npm run bench -- scale`.
need_time=1
if [[ -x /usr/bin/time ]]; then
  need_time=0
fi
# The kNN benchmark's baseline (bench/knn_brute.py) needs scikit-learn; tests do not.
need_sklearn=0
if [[ "${GEOMASK_BENCH_PYTHON:-0}" == 1 ]] && ! dpkg-query -W python3-sklearn >/dev/null 2>&1; then
  need_sklearn=1
fi

if [[ $need_mesa -eq 1 || $need_chromium -eq 1 || $need_time -eq 1 || $need_sklearn -eq 1 ]]; then
  $sudo apt-get update -q
fi
if [[ $need_time -eq 1 ]]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q time
fi
if [[ $need_mesa -eq 1 ]]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -t bookworm-backports \
    mesa-vulkan-drivers libvulkan1
fi
if [[ $need_chromium -eq 1 && "${GEOMASK_SKIP_CHROMIUM:-0}" != 1 ]]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium
fi
if [[ $need_sklearn -eq 1 ]]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q python3-sklearn
fi

echo "install-system: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)" >&2
