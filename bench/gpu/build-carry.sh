#!/usr/bin/env bash
# Builds .carry/geomask-device.tar.xz, everything the device benchmark needs on a GPU
# machine that has no Node, npm or network: the node binary (stripped), the CLI and the
# benchmark as single-file bundles, webgpu's dawn.node, parquet-wasm's Node build and
# the Vulkan loader (Debian's libvulkan1, amd64). .carry/ is ignored by git; name it in
# the device tool's `carry`, then run bench/gpu/run.sh there. Limit: 64 MiB in all.
# Usage: bench/gpu/build-carry.sh   (from any folder; needs xz, strip, apt-get)
set -euo pipefail
cd "$(dirname "$0")/../.."

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

echo "build-carry: node $(node --version) from $(command -v node)" >&2
cp "$(command -v node)" "$stage/node"
strip "$stage/node" 2>/dev/null || echo "build-carry: strip failed; carrying node unstripped" >&2

node bench/gpu/bundle.mjs "$stage"

mkdir -p "$stage/node_modules/webgpu/dist/linux-x64" "$stage/node_modules/parquet-wasm"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$stage/node_modules/webgpu/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$stage/node_modules/webgpu/dist/linux-x64/"
cp -r node_modules/parquet-wasm/package.json node_modules/parquet-wasm/node "$stage/node_modules/parquet-wasm/"

# The Vulkan loader as a .deb, fetched with apt lists of its own (as the device notes
# describe), so this machine's apt state is left alone.
lists=$(mktemp -d)
mkdir -p "$lists/partial" "$stage/debs"
apt_options=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists" -q)
apt-get "${apt_options[@]}" update >/dev/null
(cd "$stage/debs" && apt-get "${apt_options[@]}" download libvulkan1 >/dev/null)
rm -rf "$lists"

mkdir -p .carry
tar -C "$stage" -cf - . | xz -9 -T2 > .carry/geomask-device.tar.xz
echo "build-carry: .carry/geomask-device.tar.xz $(du -h .carry/geomask-device.tar.xz | cut -f1) (limit 64 MiB with the working tree)" >&2
