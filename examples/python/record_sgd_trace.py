#!/usr/bin/env python3
"""Trains a C4-shift MLP (R^8 -> R^8 -> R, tanh) in float64 PyTorch the way training code is usually written: SGD on
minibatches of 4, one random rotation per sample (sampled augmentation), loss = batch mean / 4 + gamma/2 ||Pi_{E perp} A||^2,
and writes an eqflow trace that declares its optimizer, for `eqflow check-trace` (docs/protocol.md, Appendix: SGD runs).
Usage: record_sgd_trace.py OUT.json [--half-gamma | --no-aug] (planted defects: the regularizer at half the declared
strength; training on plain data while the trace says sampled augmentation)."""
import json, sys
import torch
torch.manual_seed(0); torch.set_default_dtype(torch.float64)
n, d, N, B, s, lr, gamma = 4, 8, 16, 4, 4.0, 0.05, 4.0
half, no_aug = "--half-gamma" in sys.argv, "--no-aug" in sys.argv
X, Y = torch.randn(N, d), torch.randn(N, 1)
Xa = torch.stack([torch.roll(X, 2 * k, 1) for k in range(n)])  # Xa[k] = rho_0(r^k) X: each sample shifted by 2k
act = lambda W, k: [torch.roll(W[0], (2 * k, 2 * k), (0, 1)), torch.roll(W[1], 2 * k, 1)]  # rho_{i+1} A_i rho_i^T
piE = lambda W: [sum(act(W, k)[i] for k in range(n)) / n for i in range(2)]  # L = H: Pi_E = Pi_G, the twirl
W = [(torch.randn(d, d) / d ** 0.5).requires_grad_(), (torch.randn(1, d) / d ** 0.5).requires_grad_()]
g_train = gamma / 2 if half else gamma
snaps = []
for step in range(601):
    if step % 10 == 0 or (step <= 40 and step % 2 == 0): snaps.append({"step": step, "A": torch.cat([w.detach().flatten() for w in W]).tolist()})
    idx = torch.randperm(N)[:B]
    k = torch.zeros(B, dtype=torch.long) if no_aug else torch.randint(0, n, (B,))
    xb = Xa[k, idx]  # sample i turned by its own k_i (labels are invariant: rho_Y trivial)
    loss = 0.5 * ((torch.tanh(xb @ W[0].T) @ W[1].T - Y[idx]) ** 2).sum(1).mean() / s
    reg = 0.5 * g_train * sum(((w - p) ** 2).sum() for w, p in zip(W, piE([w.detach() for w in W])))
    W = [(w - lr * g).detach().requires_grad_() for w, g in zip(W, torch.autograd.grad(loss + reg, W))]
model = {"kind": "mlp", "input": {"kind": "shift", "dim": d, "step": 2}, "hidden": [{"kind": "shift", "dim": d, "step": 2}],
         "output": {"kind": "trivial"}, "activation": "tanh"}
case = {"name": "torch-c4-shift-mlp-sgd", "group": {"kind": "cyclic", "n": n}, "model": model, "data": {"kind": "explicit", "x": X.tolist(), "y": Y.tolist()}}
optimizer = {"kind": "sgd", "lr": lr, "batch": B, "augmentation": "sampled", "lossScale": s}
json.dump({"case": case, "gamma": gamma, "optimizer": optimizer, "snapshots": snaps}, open(sys.argv[1], "w"))
