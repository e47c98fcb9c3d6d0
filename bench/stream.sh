#!/bin/sh
# stream.sh: measure the peak memory of `kernia-admin users list --all` at 10 000 and
# 100 000 seeded users, per output format (--jsonl, --json, the non-TTY table).
#
# Prints, per format, the median peak RSS and wall time of RUNS runs (default 5) at each
# size and the 100k/10k ratio. Both sizes are measured in the same run, interleaved.
#
#   bench/stream.sh                 # 5 runs
#   RUNS=3 bench/stream.sh          # fewer runs
#   PAGE_SIZE=100 bench/stream.sh   # another --page-size (default: the command's, 500)
#
# Needs Go and Linux (ru_maxrss in kilobytes, /proc). See bench/README.md.
set -eu
cd "$(dirname "$0")/.."
BENCH_REPORT=1 BENCH_RUNS="${RUNS:-5}" BENCH_PAGE_SIZE="${PAGE_SIZE:-}" \
	exec go test ./bench -run '^TestStreamReport$' -count=1 -v -timeout 30m |
	grep -v -E '^(=== RUN|--- PASS|PASS|ok )'
