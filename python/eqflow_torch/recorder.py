"""Recorder: snapshots of a training loop's parameters as an eqflow trace (docs/protocol.md, Appendix), checked
afterwards by `eqflow check-trace TRACE.json`.

    rec = Recorder(case, model, "trace.json", lr=0.01, gamma=20.0, every=10)   # snapshot at t = 0
    ...  optimizer.step(); rec.step()                                          # every `every` steps
    rec.save()

Gradient descent with step η on R + γ/2‖Π_{E⊥}A‖² is the Euler discretization of the flow with time t = k·η
(docs/theory.md §10); a loss divided by s moves t = k·η/s and γ_flow = s·γ: pass dt and gamma accordingly.
An SGD run declares how it was trained instead, and check-trace maps its steps to flow time itself:

    rec = Recorder(case, model, "trace.json", gamma=1.0, every=75,
                   optimizer={"kind": "sgd", "lr": 1e-3, "batch": 10, "augmentation": "sampled", "lossScale": 10})
"""
import json
import os
import tempfile

from .case import Case, DYNAMICS
from .errors import ProtocolError
from .layout import flat_parameters

AUGMENTATIONS = ("sampled", "exact", "none")
# torch dtypes → eqflow's precision names (the arithmetic check-trace derives its 'in E' tolerance from)
PRECISIONS = {"float64": "float64", "float32": "float32", "bfloat16": "bfloat16", "float16": "float16"}


def sgd_optimizer(opt, lr):
    """The trace's optimizer field {kind, lr, batch, augmentation, lossScale} from `opt` (lr defaults to the Recorder's)."""
    if not isinstance(opt, dict):
        raise ProtocolError("invalid-argument", "optimizer", f"expected a dict {{kind, lr, batch, augmentation, lossScale}}, got {opt!r}")
    unknown = set(opt) - {"kind", "lr", "batch", "augmentation", "lossScale"}
    if unknown:
        raise ProtocolError("invalid-argument", f"optimizer.{sorted(unknown)[0]}", "unknown field (kind, lr, batch, augmentation, lossScale)")
    out = {"kind": opt.get("kind", "sgd"), "lr": opt.get("lr", lr), "batch": opt.get("batch"),
           "augmentation": opt.get("augmentation"), "lossScale": opt.get("lossScale", 1.0)}
    if out["kind"] != "sgd":
        raise ProtocolError("invalid-argument", "optimizer.kind", f"expected 'sgd', got {out['kind']!r}")
    for f in ("lr", "lossScale"):
        if not (isinstance(out[f], (int, float)) and not isinstance(out[f], bool) and out[f] > 0):
            raise ProtocolError("invalid-argument", f"optimizer.{f}", f"expected a number > 0, got {out[f]!r}")
        out[f] = float(out[f])
    if not (isinstance(out["batch"], int) and not isinstance(out["batch"], bool) and out["batch"] >= 1):
        raise ProtocolError("invalid-argument", "optimizer.batch", f"expected an integer ≥ 1, got {out['batch']!r}")
    if out["augmentation"] not in AUGMENTATIONS:
        raise ProtocolError("invalid-argument", "optimizer.augmentation", f"expected one of {', '.join(AUGMENTATIONS)}, got {out['augmentation']!r}")
    return out


class Recorder:
    """Records A = flat_parameters(case, module) at step 0 and every `every` optimizer steps.

    case: a Case dict (group, model, data — any data kind eqflow reads — and optionally admissible, loss,
      parametrization); module: the nn.Module (its nn.Linear/nn.Conv2d layers in order) or a list of layers;
    lr / dt: flow time per step (dt defaults to lr); gamma, dynamics: the run's regularizer and dynamics
      (default reg-augmented when γ > 0, else augmented; reg-nominal / nominal for SGD without augmentation);
    mu: Theorem 3's μ if known (else eqflow estimates it); optimizer: an SGD run's {kind: "sgd", lr, batch,
      augmentation: "sampled" | "exact" | "none", lossScale: s} (docs/protocol.md, Appendix) — the snapshots then
      carry the step count k and gamma is the γ of the loss beside mean/s (check-trace uses t = kη/s, γ_flow = sγ)."""

    def __init__(self, case, module, path, *, lr=None, dt=None, gamma=0.0, dynamics=None, every=1, mu=None, optimizer=None):
        self.optimizer = None if optimizer is None else sgd_optimizer(optimizer, lr)
        if dt is None and lr is None and self.optimizer is None:
            raise ProtocolError("invalid-argument", "lr", "give lr (or dt, the flow time per optimizer step, or an SGD optimizer)")
        self.spec = dict(case)
        self.layout = Case(self.spec, with_data=False)  # validates group, model, admissible; gives the layout
        self.module, self.path = module, path
        o = self.optimizer
        # flow time per step: given, or η/s for an SGD run (what check-trace derives from its step counts), or lr
        self.dt = float(dt if dt is not None else o["lr"] / o["lossScale"] if o else lr)
        self.gamma = float(gamma)
        nominal = o is not None and o["augmentation"] == "none"
        self.dynamics = dynamics or (("reg-nominal" if nominal else "reg-augmented") if self.gamma > 0 else ("nominal" if nominal else "augmented"))
        if self.dynamics not in DYNAMICS:
            raise ProtocolError("invalid-argument", "dynamics", f"expected one of {', '.join(DYNAMICS)}, got {self.dynamics!r}")
        if not (isinstance(every, int) and every >= 1):
            raise ProtocolError("invalid-argument", "every", f"expected an integer ≥ 1, got {every!r}")
        self.every, self.mu, self.k = every, mu, 0
        self.snapshots, self.dtype = [], None
        self.snapshot()

    def flat(self):
        """The current parameters in eqflow's layout (a detached float64 copy)."""
        A = flat_parameters(self.layout, self.module).detach()
        self.dtype = str(A.dtype).replace("torch.", "")
        return A.double()

    def snapshot(self):
        """Records the current parameters at t = k·dt (also called by step() every `every` steps)."""
        key, at = ("step", self.k) if self.optimizer else ("t", self.k * self.dt)
        if self.snapshots and self.snapshots[-1][key] == at:
            return
        self.snapshots.append({key: at, "A": self.flat().tolist()})

    def step(self):
        """Call once after each optimizer step."""
        self.k += 1
        if self.k % self.every == 0:
            self.snapshot()

    def trace(self):
        out = {"format": "eqflow-trace/1", "case": self.spec, "snapshots": self.snapshots, "gamma": self.gamma,
               "dynamics": self.dynamics, "dtype": self.dtype, "steps": self.k, "dt": self.dt}
        if self.dtype in PRECISIONS:
            out["precision"] = PRECISIONS[self.dtype]
        if self.optimizer:
            out["optimizer"] = dict(self.optimizer)
        if self.mu is not None:
            out["mu"] = float(self.mu)
        return out

    def save(self, path=None):
        """Records the final parameters (if step() did not just do so) and writes the trace as JSON, atomically (a
        temporary file renamed over the target); returns the path."""
        self.snapshot()
        path = path or self.path
        d = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".trace-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(self.trace(), f, allow_nan=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path
