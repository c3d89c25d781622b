#!/usr/bin/env bash
# The real-GPU report (`sparsescope bench-gpu`) on a Linux x86-64 machine with a GPU but no Node and no
# node_modules, such as the device tool's machines (docs/benchmarks.md, section 12).
#
#   here (any x86-64 Linux with this repo's node_modules):
#     bash scripts/device-bench-gpu.sh prepare
#       → .device-bench/ (ignored by git, ≈ 30 MB): the bundled CLI, Node, the `webgpu` package's
#         linux-x64 addon, the Vulkan loader, and the Graph Challenge data ($SPARSESCOPE_DATA or ../shared/data)
#   there, in one device-tool call from the repo root (carry [".device-bench"], timeout_s 600):
#     bash scripts/device-bench-gpu.sh run [bench-gpu flags, e.g. --quick or --budget-s 480]
#       → $OUT/gpu-<adapter>.json and .md, $OUT/bench-gpu.log, $OUT/gpu-driver.txt
#
# `run` also works here (SwiftShader when there is no GPU): `OUT=/tmp/o bash scripts/device-bench-gpu.sh run --quick`.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.device-bench

prepare() {
  rm -rf "$DIR"
  mkdir -p "$DIR"
  npx tsx scripts/bundle-cli.ts "$DIR/cli"
  local stage
  stage=$(mktemp -d)
  mkdir -p "$stage/node_modules/webgpu/dist" "$stage/bin" "$stage/lib"
  cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$stage/node_modules/webgpu/"
  cp -r node_modules/webgpu/dist/linux-x64 "$stage/node_modules/webgpu/dist/"
  cp "$(command -v node)" "$stage/bin/node"
  strip "$stage/bin/node"
  cp -L /usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$stage/lib/" # used only where the machine has none
  tar -C "$stage" -cJf "$DIR/runtime.tar.xz" .
  rm -rf "$stage"
  tar -C "${SPARSESCOPE_DATA:-../shared/data}" -cJf "$DIR/graph-challenge-dnn.tar.xz" graph-challenge-dnn
  echo "prepared $DIR ($(du -sh "$DIR" | cut -f1)); node $(node --version)"
}

run() {
  local out=${OUT:-$PWD/out-bench-gpu}
  mkdir -p "$out"
  local rt
  rt=$(mktemp -d /tmp/sparsescope-bench-gpu.XXXXXX)
  tar -C "$rt" -xJf "$DIR/runtime.tar.xz"
  tar -C "$rt" -xJf "$DIR/graph-challenge-dnn.tar.xz"
  cp -r "$DIR/cli" "$rt/cli" # beside node_modules/webgpu, which the bundle imports
  # The Vulkan loader: the machine's, else the carried one. The driver's ICD: NVIDIA's where it lives.
  if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 '; then
    export LD_LIBRARY_PATH="$rt/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
  for lib in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
    [ -d "$lib" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$lib"
  done
  if [ -z "${VK_ICD_FILENAMES:-}" ]; then
    for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
      /etc/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$icd" ]; then
        export VK_ICD_FILENAMES="$icd"
        break
      fi
    done
  fi
  {
    echo "VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-unset (SwiftShader or the system ICDs)}"
    echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
    true
  } >"$out/gpu-driver.txt" 2>&1
  cat "$out/gpu-driver.txt"
  set -o pipefail
  timeout 580 "$rt/bin/node" "$rt/cli/sparsescope.mjs" bench-gpu --out "$out" \
    --dnn-dir "$rt/graph-challenge-dnn" "$@" 2>&1 | tee "$out/bench-gpu.log"
}

case "${1:-}" in
prepare) prepare ;;
run)
  shift
  run "$@"
  ;;
*)
  echo "usage: bash scripts/device-bench-gpu.sh prepare | run [bench-gpu flags]" >&2
  exit 2
  ;;
esac
