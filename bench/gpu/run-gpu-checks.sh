#!/usr/bin/env bash
# GPU checks for a machine with an NVIDIA GPU and driver but no .NET SDK.
#
#   bench/gpu/run-gpu-checks.sh prepare       (here, with the SDK) publishes the GPU test runner and the benchmark runner,
#                                              self-contained for linux-x64 with one shared runtime, and packs them with
#                                              this script and liblz4/libzstd from this system into
#                                              bench/gpu/out/gpu-checks.tar.gz (git-ignored).
#   bench/gpu/run-gpu-checks.sh run [ARCHIVE]  (on the GPU machine) unpacks, requires a CUDA driver and device, runs every
#                                              GPU test (any skipped or failed test fails the run) and the ring benchmark
#                                              (--device cuda:0), writing everything to $OUT, or to ./gpu-results.
#   bench/gpu/run-gpu-checks.sh check          looks for the CUDA driver only: exits 3 with "no CUDA driver" when none.
#
# Exit codes: 0 all checks passed; 1 a test failed or was skipped, or the benchmark failed; 2 usage or packing error;
# 3 no CUDA driver or no device.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
max_archive_bytes=$((60 * 1024 * 1024))

find_driver() {
  # The same library the resolver loads: SHARDSTORE_CUDA_DRIVER when set, otherwise libcuda.so.1 from the loader's cache.
  if [[ -n "${SHARDSTORE_CUDA_DRIVER:-}" ]]; then
    [[ -f "$SHARDSTORE_CUDA_DRIVER" ]] && { echo "$SHARDSTORE_CUDA_DRIVER"; return 0; }
    return 1
  fi
  local path
  path="$(/sbin/ldconfig -p 2>/dev/null | awk '/libcuda\.so\.1 .*x86-64/ { print $NF; exit }')"
  [[ -z "$path" ]] && for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/nvidia/lib64 /usr/lib/wsl/lib; do
    [[ -e "$d/libcuda.so.1" ]] && { path="$d/libcuda.so.1"; break; }
  done
  [[ -n "$path" ]] && { echo "$path"; return 0; }
  return 1
}

check() {
  local driver
  if ! driver="$(find_driver)"; then
    echo "no CUDA driver found (libcuda.so.1 is not in the loader cache or the usual folders${SHARDSTORE_CUDA_DRIVER:+, and SHARDSTORE_CUDA_DRIVER=$SHARDSTORE_CUDA_DRIVER does not exist}): the GPU checks need an NVIDIA driver and GPU" >&2
    return 3
  fi
  echo "CUDA driver: $driver"
  if command -v nvidia-smi >/dev/null; then nvidia-smi -L || true; fi
}

prepare() {
  local repo stage archive
  repo="$(cd "$here/../.." && pwd)"
  stage="$here/out/stage"
  archive="$here/out/gpu-checks.tar.gz"
  rm -rf "$stage" "$archive"
  mkdir -p "$stage/bin" "$stage/lib"
  # One self-contained folder for both programs: they share the runtime's files, so it is packed once.
  # InvariantGlobalization: the GPU machine may have no libicu. Satellite assemblies (translated messages) are left out.
  local props=(-c Release -r linux-x64 --self-contained -p:InvariantGlobalization=true -p:SatelliteResourceLanguages=en
               -p:GenerateDocumentationFile=false -p:DebugType=none -o "$stage/bin" -v q --nologo)
  dotnet publish "$repo/tests/ShardStore.Cuda.Tests" "${props[@]}"
  dotnet publish "$repo/bench/ShardStore.Runner" "${props[@]}"
  # The runner links the codec assembly; carry the system's liblz4 and libzstd so nothing is needed on the GPU machine.
  for lib in liblz4.so.1 libzstd.so.1; do
    local path
    path="$(/sbin/ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ { print $NF; exit }')"
    [[ -n "$path" ]] || { echo "prepare: $lib not found on this system (apt-get install liblz4-1 libzstd1)" >&2; exit 2; }
    cp -L "$path" "$stage/lib/$lib"
  done
  cp "$here/run-gpu-checks.sh" "$stage/run-gpu-checks.sh"
  tar -C "$stage" -czf "$archive" .
  local size
  size="$(stat -c %s "$archive")"
  echo "packed $archive: $((size / 1024 / 1024)) MiB"
  if (( size > max_archive_bytes )); then
    echo "prepare: the archive is over $((max_archive_bytes / 1024 / 1024)) MiB; the device tool carries 64 MiB at most" >&2
    exit 2
  fi
}

run() {
  local archive="${1:-$here/out/gpu-checks.tar.gz}"
  local results="${OUT:-$PWD/gpu-results}"
  mkdir -p "$results"
  local status=0
  if ! check >"$results/driver.txt" 2>&1; then
    cat "$results/driver.txt" >&2
    return 3
  fi
  cat "$results/driver.txt"
  local work
  work="$(mktemp -d)"
  if [[ -f "$here/bin/ShardStore.Cuda.Tests" ]]; then work="$here"; else tar -C "$work" -xzf "$archive"; fi
  export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

  # Every GPU test must run and pass: a skipped (Inconclusive) one means the device was not reachable from the tests.
  local tests="$results/gpu-tests.txt"
  timeout 300 "$work/bin/ShardStore.Cuda.Tests" --filter "TestCategory=Gpu" --progress off \
    --results-directory "$results/test-results" >"$tests" 2>&1 || status=1
  cat "$tests"
  local ran skipped failed
  ran="$(sed -n 's/^ *succeeded: \([0-9]*\)/\1/p' "$tests" | tail -1)"
  skipped="$(sed -n 's/^ *skipped: \([0-9]*\)/\1/p' "$tests" | tail -1)"
  failed="$(sed -n 's/^ *failed: \([0-9]*\)/\1/p' "$tests" | tail -1)"
  if [[ -z "$ran" || "$ran" == 0 || "${skipped:-1}" != 0 || "${failed:-1}" != 0 ]]; then
    echo "GPU tests: ${ran:-0} passed, ${failed:-?} failed, ${skipped:-?} skipped: every GPU test must run and pass" | tee -a "$results/summary.txt"
    status=1
  else
    echo "GPU tests: $ran passed, 0 failed, 0 skipped" | tee -a "$results/summary.txt"
  fi

  # The ring against a plain cuMemcpyHtoDAsync loop from pinned memory, and the idle fraction under the spin-kernel consumer.
  if timeout 240 "$work/bin/ShardStore.Runner" --device cuda:0 --codec none --epochs 3 --dir "$(mktemp -d)" >"$results/ring-bench.txt" 2>&1; then
    echo "ring benchmark: done (ring-bench.txt)" | tee -a "$results/summary.txt"
  else
    echo "ring benchmark: failed (exit $?), see ring-bench.txt" | tee -a "$results/summary.txt"
    status=1
  fi
  cat "$results/ring-bench.txt"
  return $status
}

case "${1:-}" in
  prepare) prepare ;;
  run) shift; run "$@" ;;
  check) check ;;
  *) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
