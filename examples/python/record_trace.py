#!/usr/bin/env python3
"""Trains a C4-shift MLP (R^8 -> R^8 -> R, tanh) in float64 PyTorch by gradient descent on the exactly augmented
risk (every sample rotated by every g) plus gamma/2 ||Pi_{E perp} A||^2, and writes an eqflow trace for
`eqflow check-trace` (docs/protocol.md, Appendix). Usage: record_trace.py OUT.json [--in-E]
(--in-E: start in E, gamma = 0 -> Theorem 1; otherwise start off E, gamma = 5 -> Theorem 3)."""
import json, sys
import torch
torch.manual_seed(0); torch.set_default_dtype(torch.float64)
n, d, eta, in_E = 4, 8, 0.01, "--in-E" in sys.argv
gamma = 0.0 if in_E else 5.0
X, Y = torch.randn(6, d), torch.randn(6, 1)
Xa, Ya = torch.cat([torch.roll(X, 2 * k, 1) for k in range(n)]), Y.repeat(n, 1)  # rho_0(r^k) shifts by 2k
act = lambda W, k: [torch.roll(W[0], (2 * k, 2 * k), (0, 1)), torch.roll(W[1], 2 * k, 1)]  # rho_{i+1} A_i rho_i^T
piE = lambda W: [sum(act(W, k)[i] for k in range(n)) / n for i in range(2)]  # L = H: Pi_E = Pi_G, the twirl
W = [torch.randn(d, d) / d ** 0.5, torch.randn(1, d) / d ** 0.5]
W = [w.requires_grad_() for w in (piE(W) if in_E else W)]
snaps = []
for step in range(401):
    if step % 10 == 0: snaps.append({"t": step * eta, "A": torch.cat([w.detach().flatten() for w in W]).tolist()})
    risk = 0.5 * ((torch.tanh(Xa @ W[0].T) @ W[1].T - Ya) ** 2).sum(1).mean()
    reg = 0.5 * gamma * sum(((w - p) ** 2).sum() for w, p in zip(W, piE([w.detach() for w in W])))
    W = [(w - eta * g).detach().requires_grad_() for w, g in zip(W, torch.autograd.grad(risk + reg, W))]
model = {"kind": "mlp", "input": {"kind": "shift", "dim": d, "step": 2}, "hidden": [{"kind": "shift", "dim": d, "step": 2}],
         "output": {"kind": "trivial"}, "activation": "tanh"}
case = {"name": "torch-c4-shift-mlp", "group": {"kind": "cyclic", "n": n}, "model": model, "data": {"kind": "explicit", "x": X.tolist(), "y": Y.tolist()}}
json.dump({"case": case, "snapshots": snaps, "gamma": gamma, "dynamics": "reg-augmented" if gamma else "augmented"}, open(sys.argv[1], "w"))
