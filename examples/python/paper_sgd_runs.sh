#!/bin/sh
# npm run trace:paper — the paper's PyTorch training loop (examples/python/paper_sgd.py) recorded at γ = 1 (400 steps)
# and γ = 10 (3000 steps), and at both with the regularizer trained at half the declared strength, each checked by
# `eqflow check-trace` with μ estimated (the traces are ~9 MB each: regenerated here, not committed; tmp/ is ignored).
set -u
out=${1:-tmp/paper-sgd}
mkdir -p "$out"
run() {
  name=$1; shift
  PYTHONPATH=python nice /usr/bin/python3 examples/python/paper_sgd.py --out "$out/$name.json" "$@" 2>"$out/$name.train.log" || exit 2
  /usr/bin/time -f "check-trace $name: %e s wall, %U s user" nice node bin/eqflow.mjs check-trace "$out/$name.json" --html "$out/$name.html" >"$out/$name.txt" 2>"$out/$name.time"
  echo "exit $?" >>"$out/$name.txt"
  cat "$out/$name.txt"; tail -1 "$out/$name.time"
}
run gamma-1 --gamma 1 --steps 400
run gamma-1-half --gamma 1 --steps 400 --half-gamma
run gamma-10 --gamma 10 --steps 3000
run gamma-10-half --gamma 10 --steps 3000 --half-gamma
