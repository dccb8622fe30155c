#!/usr/bin/env bash
# Installs what building and testing edgetrace needs on Debian 12, only when missing:
# the C++ -> Wasm toolchain (Debian's wasi-sdk equivalent and Emscripten), header-only
# libraries, and the Node dev dependencies. Idempotent and quiet when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(cmake make clang-14 clang-format-14 lld-14 wasi-libc libc++-14-dev-wasm32 libc++abi-14-dev-wasm32
  libclang-rt-14-dev-wasm32 libclang-rt-14-dev emscripten binaryen wabt nlohmann-json3-dev
  doctest-dev chromium nodejs npm)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node may come from NodeSource (no Debian nodejs/npm package): accept any node >= 20.
if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  missing=("${missing[@]/nodejs/}")
  missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
