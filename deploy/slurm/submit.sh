#!/bin/bash
# submit.sh [N]: submit `maxmargin verify` as a Slurm array of N shards (default
# 8) and a merge job that runs after all of them have ended (it names any
# shard that left no output). Run it from the
# repository's root on a shared file system, after `make build`:
#   SHARED=scale-out deploy/slurm/submit.sh 8
# MAXMARGIN, CASES, SHARED and VERIFY_FLAGS pass through to run-shard.sh.
set -euo pipefail
N=${1:-8}
if ! [[ $N =~ ^[1-9][0-9]*$ ]]; then
	echo "submit.sh: N must be a positive integer, got '$N'" >&2
	exit 2
fi
log=${SHARED:-scale-out}/log
mkdir -p "$log"
array=$(sbatch --parsable --array=0-$((N - 1)) --output="$log/shard-%a.log" --export=ALL,N="$N" deploy/slurm/shard.sbatch)
array=${array%%;*} # --parsable prints "jobid" or "jobid;cluster"
merge=$(sbatch --parsable --dependency=afterany:"$array" --output="$log/merge.log" --export=ALL,N="$N" deploy/slurm/merge.sbatch)
echo "array job $array (shards 1..$N), merge job ${merge%%;*}: report in ${SHARED:-scale-out}/report"
