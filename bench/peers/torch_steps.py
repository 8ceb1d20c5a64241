#!/usr/bin/python3
"""PyTorch peer timings for eqflow's gradient steps (single thread, CPU, float64 and float32).

Each task times ONE call of: build the (augmented) batch -> forward -> loss -> backward, with grads
reset to None before every call. The group action (torch.roll / torch.rot90) is inside the timed call
because computing the augmented risk includes transforming the samples.

Tasks (see bench/peers/README.md):
  a  mlp-aug-grad       R^16 -> 32 -> 32 -> 1, tanh, C4 = cyclic shift by 4, batch 32 x 4 shifts = 128
  b  mlp-wide-aug-grad  R^64 -> 128 -> 128 -> 1, tanh, C4 = cyclic shift by 16, batch 32 x 4 = 128
  c  cnn-sampled-grad   docs/theory.md section 7 CNN, batch 10, each image rot90 by its own seeded k
  d  cnn-exact-grad     same CNN, all 4 rotations of each of the 10 images (batch 40)

Output: one JSON line on stdout. Run with Debian's interpreter: /usr/bin/python3 bench/peers/torch_steps.py
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Callable, Dict, List, Sequence

import torch
import torch.nn.functional as F

SEED = 20240601
BATCH_MLP = 32
BATCH_CNN = 10
N_CLASSES = 10

TASKS: Dict[str, str] = {
    "a": "mlp-aug-grad",
    "b": "mlp-wide-aug-grad",
    "c": "cnn-sampled-grad",
    "d": "cnn-exact-grad",
}
DTYPES: Dict[str, torch.dtype] = {"float64": torch.float64, "float32": torch.float32}


def gaussian(gen: torch.Generator, shape: Sequence[int], fan_in: int, dtype: torch.dtype) -> torch.Tensor:
    """Gaussian weights scaled by 1/sqrt(fan_in); drawn in float64 so both dtypes see the same values."""
    w = torch.randn(*shape, generator=gen, dtype=torch.float64) / (fan_in ** 0.5)
    return w.to(dtype).requires_grad_(True)


def make_mlp_step(d: int, hidden: int, dtype: torch.dtype) -> Callable[[], List[torch.Tensor]]:
    """Exact-augmented gradient of 1/(4B) sum_{i,k} 1/2 (f(g^k x_i) - y_i)^2, g = cyclic shift by d/4."""
    gen = torch.Generator().manual_seed(SEED + d)
    w1 = gaussian(gen, (hidden, d), d, dtype)
    w2 = gaussian(gen, (hidden, hidden), hidden, dtype)
    w3 = gaussian(gen, (1, hidden), hidden, dtype)
    params = [w1, w2, w3]
    x = torch.randn(BATCH_MLP, d, generator=gen, dtype=torch.float64).to(dtype)
    y = torch.randn(BATCH_MLP, 1, generator=gen, dtype=torch.float64).to(dtype)
    shift = d // 4
    # y is invariant, so each of the 4 transformed copies keeps its sample's target.
    y_aug = y.repeat(4, 1)

    def step() -> List[torch.Tensor]:
        for p in params:
            p.grad = None
        x_aug = torch.cat([torch.roll(x, shift * k, dims=-1) for k in range(4)], dim=0)
        h = torch.tanh(F.linear(x_aug, w1))
        h = torch.tanh(F.linear(h, w2))
        y_hat = F.linear(h, w3)
        loss = 0.5 * ((y_hat - y_aug) ** 2).mean()
        loss.backward()
        return [p.grad for p in params]  # type: ignore[misc]

    return step


def cnn_forward(x: torch.Tensor, c1: torch.Tensor, c2: torch.Tensor, lin: torch.Tensor) -> torch.Tensor:
    """docs/theory.md section 7: conv-pool-tanh-LN(14x14) -> conv-pool-tanh-LN(7x7) -> linear 784->10, no biases/affine."""
    h = F.conv2d(x, c1, padding=1)
    h = torch.tanh(F.avg_pool2d(h, 2))
    h = F.layer_norm(h, (14, 14))
    h = F.conv2d(h, c2, padding=1)
    h = torch.tanh(F.avg_pool2d(h, 2))
    h = F.layer_norm(h, (7, 7))
    return F.linear(h.flatten(1), lin)


def make_cnn_step(exact: bool, dtype: torch.dtype) -> Callable[[], List[torch.Tensor]]:
    """Cross-entropy gradient on a batch of 10 images: one seeded rotation each, or all 4 (exact)."""
    gen = torch.Generator().manual_seed(SEED + (1 if exact else 0))
    c1 = gaussian(gen, (16, 1, 3, 3), 1 * 9, dtype)
    c2 = gaussian(gen, (16, 16, 3, 3), 16 * 9, dtype)
    lin = gaussian(gen, (N_CLASSES, 16 * 7 * 7), 16 * 7 * 7, dtype)
    params = [c1, c2, lin]
    x = torch.rand(BATCH_CNN, 1, 28, 28, generator=gen, dtype=torch.float64).to(dtype)
    labels = torch.randint(0, N_CLASSES, (BATCH_CNN,), generator=gen)
    ks = torch.randint(0, 4, (BATCH_CNN,), generator=gen).tolist()
    labels_exact = labels.repeat(4)

    def batch() -> torch.Tensor:
        if exact:
            return torch.cat([torch.rot90(x, k, dims=(2, 3)) for k in range(4)], dim=0)
        # Per-sample rotation, kept in the original sample order.
        return torch.stack([torch.rot90(x[i], ks[i], dims=(1, 2)) for i in range(BATCH_CNN)], dim=0)

    target = labels_exact if exact else labels

    def step() -> List[torch.Tensor]:
        for p in params:
            p.grad = None
        logits = cnn_forward(batch(), c1, c2, lin)
        loss = F.cross_entropy(logits, target)
        loss.backward()
        return [p.grad for p in params]  # type: ignore[misc]

    return step


def make_step(task: str, dtype: torch.dtype) -> Callable[[], List[torch.Tensor]]:
    if task == "mlp-aug-grad":
        return make_mlp_step(16, 32, dtype)
    if task == "mlp-wide-aug-grad":
        return make_mlp_step(64, 128, dtype)
    if task == "cnn-sampled-grad":
        return make_cnn_step(False, dtype)
    if task == "cnn-exact-grad":
        return make_cnn_step(True, dtype)
    raise ValueError(f"unknown task {task}")


def time_step(step: Callable[[], List[torch.Tensor]], min_time: float, warmup: int, min_samples: int) -> Dict[str, float]:
    """Warm up, then call until min_time seconds and min_samples calls have accumulated."""
    for _ in range(warmup):
        step()
    samples: List[float] = []
    total = 0.0
    while total < min_time or len(samples) < min_samples:
        t0 = time.perf_counter()
        grads = step()
        dt = time.perf_counter() - t0
        # Reading the grads keeps the work observable (CPU autograd is synchronous anyway).
        if grads[0] is None:
            raise RuntimeError("backward produced no gradient")
        samples.append(dt)
        total += dt
    return {"meanSec": statistics.fmean(samples), "medianSec": statistics.median(samples), "samples": len(samples)}


def dgemm_gflops(n: int, dtype: torch.dtype, min_time: float) -> Dict[str, float]:
    """GFLOP/s of one n x n x n torch.mm (the BLAS gemm on one thread): median over calls filling min_time seconds,
    on the process CPU clock (one thread: CPU time = compute time, and other load on the machine does not count)."""
    gen = torch.Generator().manual_seed(SEED + n)
    a = torch.randn(n, n, generator=gen, dtype=torch.float64).to(dtype)
    b = torch.randn(n, n, generator=gen, dtype=torch.float64).to(dtype)
    for _ in range(2):
        torch.mm(a, b)
    samples: List[float] = []
    total = 0.0
    while total < min_time or len(samples) < 5:
        t0 = time.process_time()
        torch.mm(a, b)
        dt = time.process_time() - t0
        samples.append(dt)
        total += dt
    return {"n": n, "gflops": 2 * n ** 3 / statistics.median(samples) / 1e9}


def loaded_blas() -> str:
    """Path of the BLAS shared object actually mapped (Debian's reference BLAS vs OpenBLAS differ up to ~9x)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    return ",".join(sorted(paths)) or "none"


def parse_tasks(spec: str) -> List[str]:
    out: List[str] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name = TASKS.get(item, item)
        if name not in TASKS.values():
            raise SystemExit(f"unknown task {item!r}; use letters {','.join(TASKS)} or names {','.join(TASKS.values())}")
        out.append(name)
    return out


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", default="a,b,c,d", help="comma list of task letters or names (default a,b,c,d)")
    ap.add_argument("--dtypes", default="float64,float32", help="comma list from float64,float32")
    ap.add_argument("--min-time", type=float, default=1.0, help="seconds of timed calls per task/dtype (default 1)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed calls before timing (default 5)")
    ap.add_argument("--min-samples", type=int, default=5, help="at least this many timed calls (default 5)")
    ap.add_argument("--gemm", default="", help="comma list of sizes n: also time float64 n x n x n torch.mm (e.g. 256,1024)")
    args = ap.parse_args(argv)
    tasks = parse_tasks(args.tasks)
    dtypes = [s.strip() for s in args.dtypes.split(",") if s.strip()]
    for s in dtypes:
        if s not in DTYPES:
            raise SystemExit(f"unknown dtype {s!r}; use float64,float32")
    if args.min_time < 0 or args.warmup < 0 or args.min_samples < 1:
        raise SystemExit("--min-time/--warmup must be >= 0 and --min-samples >= 1")

    # One thread so the numbers compare with single-threaded JS.
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    results = []
    for task in tasks:
        for s in dtypes:
            stats = time_step(make_step(task, DTYPES[s]), args.min_time, args.warmup, args.min_samples)
            results.append({"task": task, "dtype": s, **stats})
    gemm = [dgemm_gflops(int(n), torch.float64, args.min_time) for n in args.gemm.split(",") if n.strip()]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": loaded_blas(), "results": results, "gemm": gemm}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
