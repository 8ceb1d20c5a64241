#!/bin/bash
# Figure 2 at the paper's scale (30 runs × 60 000 SGD steps × γ ∈ {1, 10, 100, 1000}) as a Slurm job array:
# 8 array tasks, one shard each (--shard auto reads SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT), then one merge
# job that runs once every task has succeeded. Submit from a checkout with `npm ci` done:
#   sbatch examples/cluster/slurm-mnist.sh
# A task that hits its time limit or is preempted resumes from its last finished run when resubmitted
# (sbatch --array=<its index> examples/cluster/slurm-mnist.sh).
#SBATCH --job-name=eqflow-fig2
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --time=24:00:00
#SBATCH --output=eqflow-fig2-%A_%a.log
set -euo pipefail

OUT=${EQFLOW_OUT:-reports}
SHARDS=${SLURM_ARRAY_TASK_COUNT:-8}
# the experiment's scale (default the paper's); e.g. EQFLOW_MNIST_ARGS="--runs 10 --images 10000 --epochs 6 --gammas 10,100,1000"
MNIST_ARGS=${EQFLOW_MNIST_ARGS:---full}

# every task: its shard of the (γ, run) jobs, into $OUT/shards/mnist.shard-K-of-8.json
npx eqflow experiment mnist $MNIST_ARGS --workers "${SLURM_CPUS_PER_TASK:-2}" --shard auto --out "$OUT" --quiet

# the task of index 0 submits the merge, to run after every task of the array has finished successfully
if [ "${SLURM_ARRAY_TASK_ID:-0}" = "${SLURM_ARRAY_TASK_MIN:-0}" ] && [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=eqflow-fig2-merge --wrap \
    "npx eqflow merge $OUT/shards/mnist.shard-*-of-$SHARDS.json --out $OUT"
fi
