#!/usr/bin/env python3
"""Trains a C4-shift MLP (R^8 -> R^8 -> R, tanh) in float64 PyTorch by gradient descent on the exactly augmented
risk (every sample rotated by every g) plus gamma/2 ||Pi_{E perp} A||^2, recording it with eqflow_torch.Recorder for
`eqflow check-trace` (docs/protocol.md, Appendix). Usage: record_trace.py OUT.json [--in-E]
(--in-E: start in E, gamma = 0 -> Theorem 1; otherwise start off E, gamma = 5 -> Theorem 3)."""
import os, sys
import torch
from torch import nn
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from eqflow_torch import Case, Recorder, flat_parameters  # noqa: E402
from eqflow_torch.layout import load_flat  # noqa: E402
torch.manual_seed(0); torch.set_default_dtype(torch.float64)
n, d, eta, in_E = 4, 8, 0.01, "--in-E" in sys.argv
gamma = 0.0 if in_E else 5.0
X, Y = torch.randn(6, d), torch.randn(6, 1)
Xa, Ya = torch.cat([torch.roll(X, 2 * k, 1) for k in range(n)]), Y.repeat(n, 1)  # rho_0(r^k) shifts by 2k
model = {"kind": "mlp", "input": {"kind": "shift", "dim": d, "step": 2}, "hidden": [{"kind": "shift", "dim": d, "step": 2}],
         "output": {"kind": "trivial"}, "activation": "tanh"}
case = {"name": "torch-c4-shift-mlp", "group": {"kind": "cyclic", "n": n}, "model": model, "data": {"kind": "explicit", "x": X.tolist(), "y": Y.tolist()}}
net, space = nn.Sequential(nn.Linear(d, d, bias=False), nn.Tanh(), nn.Linear(d, 1, bias=False)), Case(case, with_data=False)
if in_E: load_flat(space, net, space.pi_E(flat_parameters(space, net).detach()))  # Pi_E: the twirl (L = H)
rec, opt = Recorder(case, net, sys.argv[1], lr=eta, gamma=gamma, every=10), torch.optim.SGD(net.parameters(), lr=eta)
for step in range(400):
    A = flat_parameters(space, net)
    loss = 0.5 * ((net(Xa) - Ya) ** 2).sum(1).mean() + 0.5 * gamma * (A - space.pi_E(A)).pow(2).sum()
    opt.zero_grad(); loss.backward(); opt.step(); rec.step()
rec.save()
