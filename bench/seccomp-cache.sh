#!/bin/sh
# Seccomp compile vs cache-hit timing for bootlet's SeccompCompiler/SeccompCache.
# Usage: bench/seccomp-cache.sh        (builds bootlet-seccomp-bench in release mode, then runs it)
# Prints medians in microseconds and the compile/hit ratios; see docs/seccomp.md for recorded figures.
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product bootlet-seccomp-bench >/dev/null
exec "$(swift build -c release --show-bin-path)/bootlet-seccomp-bench"
