#!/bin/sh
# merge.sh N: merge the N shard outputs in $SHARED/out into the report in
# $SHARED/report (report.md, plots, summary.json). Its exit status is the
# run's verdict: 0 when every claim passes; 1 when a claim fails, a shard is
# missing or the outputs do not belong to one run (one line on stderr naming
# the file). Environment: MAXMARGIN, SHARED as for run-shard.sh.
set -eu
if [ $# -ne 1 ]; then
	echo "usage: merge.sh N" >&2
	exit 2
fi
n=$1
bin=${MAXMARGIN:-bin/maxmargin}
shared=${SHARED:-scale-out}
mkdir -p "$shared/report"
tmp="$shared/report/.summary.json.$$"
status=0
"$bin" merge "$shared"/out/shard-*-of-"$n".json --json --report "$shared/report" >"$tmp" || status=$?
if [ -s "$tmp" ]; then
	mv "$tmp" "$shared/report/summary.json"
else
	rm -f "$tmp"
fi
exit "$status"
