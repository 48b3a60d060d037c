#!/usr/bin/env bash
# Installs everything medloop needs on a fresh Debian/Ubuntu machine: libtorch + OpenBLAS
# (the engine), Chromium (browser tests), Python PyTorch (the benchmark's
# reference only), then the npm packages, which build the libtorch addon.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
need=()
dpkg -s libtorch-dev >/dev/null 2>&1 || need+=(libtorch-dev)
dpkg -s chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s python3-torch >/dev/null 2>&1 || need+=(python3-torch)
# libtorch-dev pulls the reference BLAS; OpenBLAS makes its matmuls ~7x faster (Debian switches libblas.so.3 to it).
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
if [ ${#need[@]} -gt 0 ]; then
  echo "medloop setup: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -f build/Release/medloop_torch.node ] || [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  npm ci --no-audit --no-fund
fi
