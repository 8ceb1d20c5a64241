"""Recorder: snapshots of a training loop's parameters as an eqflow trace (docs/protocol.md, Appendix), checked
afterwards by `eqflow check-trace TRACE.json`.

    rec = Recorder(case, model, "trace.json", lr=0.01, gamma=20.0, every=10)   # snapshot at t = 0
    ...  optimizer.step(); rec.step()                                          # every `every` steps
    rec.save()

Gradient descent with step η on R + γ/2‖Π_{E⊥}A‖² is the Euler discretization of the flow with time t = k·η
(docs/theory.md §10); a loss divided by s moves t = k·η/s and γ_flow = s·γ: pass dt and gamma accordingly.
"""
import json
import os
import tempfile

from .case import Case, DYNAMICS
from .errors import ProtocolError
from .layout import flat_parameters


class Recorder:
    """Records A = flat_parameters(case, module) at step 0 and every `every` optimizer steps.

    case: a Case dict (group, model, data — any data kind eqflow reads — and optionally admissible, loss,
      parametrization); module: the nn.Module (its nn.Linear/nn.Conv2d layers in order) or a list of layers;
    lr / dt: flow time per step (dt defaults to lr); gamma, dynamics: the run's regularizer and dynamics
      (default reg-augmented when γ > 0, else augmented); mu: Theorem 3's μ if known (else eqflow estimates it)."""

    def __init__(self, case, module, path, *, lr=None, dt=None, gamma=0.0, dynamics=None, every=1, mu=None):
        if dt is None and lr is None:
            raise ProtocolError("invalid-argument", "lr", "give lr (or dt, the flow time per optimizer step)")
        self.spec = dict(case)
        self.layout = Case(self.spec, with_data=False)  # validates group, model, admissible; gives the layout
        self.module, self.path = module, path
        self.dt = float(dt if dt is not None else lr)
        self.gamma = float(gamma)
        self.dynamics = dynamics or ("reg-augmented" if self.gamma > 0 else "augmented")
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
        t = self.k * self.dt
        if self.snapshots and self.snapshots[-1]["t"] == t:
            return
        self.snapshots.append({"t": t, "A": self.flat().tolist()})

    def step(self):
        """Call once after each optimizer step."""
        self.k += 1
        if self.k % self.every == 0:
            self.snapshot()

    def trace(self):
        out = {"format": "eqflow-trace/1", "case": self.spec, "snapshots": self.snapshots, "gamma": self.gamma,
               "dynamics": self.dynamics, "dtype": self.dtype, "steps": self.k, "dt": self.dt}
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
