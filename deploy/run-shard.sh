#!/bin/sh
# run-shard.sh I N: run shard I of N (1 <= I <= N) of `maxmargin verify` and
# leave its JSON in $SHARED/out/shard-I-of-N.json, written whole or not at all.
# The Slurm array task and the Kubernetes Indexed Job pod both run this.
#
# Exit status: 0 when the shard's JSON was written, whatever its verdict (the
# verdict is merge's: a failed claim must not make the scheduler retry the
# task or cancel the merge); otherwise verify's exit status (bad input, no
# output). Environment:
#   MAXMARGIN     the maxmargin binary (default bin/maxmargin)
#   CASES         the folder of case files (default cases)
#   SHARED        a folder every task can write, also holding the reference
#                 cache (default scale-out)
#   VERIFY_FLAGS  more flags for verify, e.g. "--workers 2" or "--step-scale 0.1"
set -eu
if [ $# -ne 2 ]; then
	echo "usage: run-shard.sh I N" >&2
	exit 2
fi
i=$1
n=$2
bin=${MAXMARGIN:-bin/maxmargin}
cases=${CASES:-cases}
shared=${SHARED:-scale-out}
mkdir -p "$shared/out" "$shared/cache"
out="$shared/out/shard-$i-of-$n.json"
tmp="$shared/out/.shard-$i-of-$n.json.$$"
rm -f "$out" # a stale output must not stand in for this run's
status=0
# shellcheck disable=SC2086 # VERIFY_FLAGS holds several flags
"$bin" verify --cases "$cases" --shard "$i/$n" --json --cache "$shared/cache" ${VERIFY_FLAGS:-} >"$tmp" || status=$?
if [ -s "$tmp" ]; then
	mv "$tmp" "$out"
	exit 0
fi
rm -f "$tmp"
exit "$status"
