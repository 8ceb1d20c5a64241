"""A Case made concrete (docs/protocol.md §6): group, network, the projectors Π_G, Π_L, Π_E, data, loss, the risks
with autograd gradients, and the dynamics of docs/theory.md §4 (K = Π_L, or MMᵀ for a matrix parametrization).

Π_G is the twirl (1/|G|) Σ_g ρ̄(g). Π_L projects onto L_0 (full, a coordinate mask, a 3×3 kernel support on the
conv segments, or the span of given vectors). Π_E is the orthogonal projection onto E_0 = L_0 ∩ H_G: Π_LΠ_G when
the two commute (compatible L, docs/theory.md §1), otherwise from an orthonormal basis of L_0 ∩ H_G.
"""
import math

import torch

from .errors import ProtocolError, integer, need
from .groups import build_group
from .models import build_model
from .planar import check_planar_rule
from .reps import F64

DYNAMICS = ("nominal", "augmented", "equivariant", "reg-augmented", "reg-nominal")
EPS = torch.finfo(F64).eps
DENSE_DIM = 256  # Π_G, Π_E as matrices up to this dim (see Case._dense)

SUPPORTS = {
    "full": [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2]],
    "cross": [[1, 1], [0, 1], [1, 0], [1, 2], [2, 1]],
    "centre-corners": [[1, 1], [0, 0], [0, 2], [2, 0], [2, 2]],
    "skew": [[0, 0], [0, 1], [1, 0], [1, 2], [2, 1]],
    "l-shape": [[0, 0], [1, 0], [1, 1]],
}


def tensor_rows(rows, width, field):
    """A list of rows of `width` finite numbers as an (n, width) float64 tensor."""
    need(isinstance(rows, list) and len(rows) > 0, field, "expected a non-empty array of rows")
    for s, r in enumerate(rows):
        need(isinstance(r, list) and len(r) == width, f"{field}[{s}]", f"expected {width} entries, got {len(r) if isinstance(r, list) else r!r}",
             "dimension-mismatch")
    t = torch.tensor(rows, dtype=F64)
    need(bool(torch.isfinite(t).all()), field, "expected finite numbers", "not-finite")
    return t


def orthonormal_rows(V):
    """An orthonormal basis (rows) of the row space of V (SVD; singular values ≤ 10·max(m, n)·eps·max(s_max, 1) dropped)."""
    if V.shape[0] == 0:
        return V
    _, s, vt = torch.linalg.svd(V, full_matrices=False)
    tol = 10 * max(V.shape) * EPS * max(float(s.max()), 1.0)
    return vt[s > tol]


def nullspace(M):
    """Columns spanning {c : Mc = 0}, same threshold as orthonormal_rows."""
    m, n = M.shape
    _, s, vt = torch.linalg.svd(M, full_matrices=True)
    tol = 10 * max(m, n) * EPS * max(float(s.max()) if s.numel() else 0.0, 1.0)
    return vt[int((s > tol).sum()):].T


def phi(z):
    """φ_0(z), …, φ_3(z) for real z ≤ 0: φ_0 = e^z, φ_{k+1}(z) = (φ_k(z) − 1/k!)/z; for |z| < 1 the Taylor series
    Σ_j z^j/(j+k)! (25 terms: |z|^25/25! < 1e-25), where the recurrence would cancel catastrophically."""
    if abs(z) < 1:
        out = []
        for k in range(4):
            term, acc = 1 / math.factorial(k), 0.0
            for j in range(25):
                acc += term
                term *= z / (j + k + 1)
            out.append(acc)
        return out
    p0 = math.exp(z)
    p1 = (p0 - 1) / z
    p2 = (p1 - 1) / z
    return [p0, p1, p2, (p2 - 0.5) / z]


class Case:
    """Everything an operation needs, built once per Case; `bugs` plants the named defects of bugs.py. A Case of a
    group given by generators (`perm-generators`) is never enumerated: Case(spec) builds a PermCase (perm.py) for it."""

    def __new__(cls, spec=None, *args, **kwargs):
        if cls is Case and isinstance(spec, dict) and isinstance(spec.get("group"), dict) and spec["group"].get("kind") == "perm-generators":
            from .perm import PermCase
            cls = PermCase
        return super().__new__(cls)

    def __init__(self, spec, bugs=frozenset(), with_data=True):
        need(isinstance(spec, dict), "case", "expected a Case object")
        self.bugs = bugs
        check_planar_rule(spec)
        self.G = G = build_group(spec.get("group", {}))
        self.model = build_model(G, spec.get("model"), bugs)
        self.dim = self.model.dim
        self.action = self.model.action
        # the planted bug 'twirl-subgroup': Π_G averages over a proper cyclic subgroup (the largest one)
        self.twirl_elements = None
        self.dense = None  # the projector matrices, allowed once the admissible set is built (see _dense)
        if "twirl-subgroup" in bugs:
            subs = [G.generated(g) for g in range(G.order)]
            proper = [s for s in subs if len(s) < G.order] or [[G.identity]]
            self.twirl_elements = torch.tensor(max(proper, key=len))
        self._admissible(spec.get("admissible", {"kind": "full"}))
        self._parametrization(spec.get("parametrization", {"kind": "unitary"}))
        self.dense = {}
        self._loss(spec)
        if with_data:
            self._data(spec.get("data", {}))

    # ---- data and risks (docs/theory.md §3)

    def _loss(self, spec):
        self.loss_kind = spec.get("loss", "squared")
        need(self.loss_kind in ("squared", "cross-entropy"), "case.loss", f"unknown loss {self.loss_kind!r}", "unsupported")

    def _explicit_data(self, data):
        """X (n, n_0) and Y (n, n_L) from the Case's explicit data."""
        need(isinstance(data, dict) and data.get("kind") == "explicit", "case.data.kind",
             f"eqflow sends explicit data; got {data.get('kind') if isinstance(data, dict) else data!r}", "unsupported")
        self.X = tensor_rows(data.get("x"), self.model.widths[0], "case.data.x")
        self.Y = tensor_rows(data.get("y"), self.model.widths[-1], "case.data.y")
        need(self.X.shape[0] == self.Y.shape[0], "case.data.y", f"{self.X.shape[0]} inputs but {self.Y.shape[0]} targets", "dimension-mismatch")
        self.count = self.X.shape[0]

    def _data(self, data):
        self._explicit_data(data)
        # the data transformed by every g, in the order (g, s): R^aug is the plain mean over these |G|·n samples
        self.Xaug = self.model.input_rep.orbit(self.X).reshape(-1, self.X.shape[1])
        Yo = self.Y.expand(self.G.order, -1, -1) if "augment-skips-y" in self.bugs else self.model.output_rep.orbit(self.Y)
        self.Yaug = Yo.reshape(-1, self.Y.shape[1])

    def loss(self, out, Y):
        """Σ_s ℓ(ŷ_s, y_s) over the last two axes: ½‖ŷ − y‖² or −Σ_k y_k log softmax(ŷ)_k."""
        if self.loss_kind == "squared":
            return 0.5 * ((out - Y) ** 2).sum((-2, -1))
        return -(Y * torch.log_softmax(out, dim=-1)).sum((-2, -1))

    def mean_loss(self, A, X, Y):
        """(1/n) Σ_s ℓ(Φ_A(x_s), y_s); for A of shape (B, dim) one value per network."""
        return self.loss(self.model.forward(A, X), Y) / X.shape[0]

    @property
    def batch_rows(self):
        """The samples one risk evaluation runs through the network (R^aug: |G|·n)."""
        return self.Xaug.shape[0]

    def objective(self, mode):
        """A ↦ R(A) (mode "nominal") or R^aug(A), for A of shape (dim,) or (B, dim)."""
        X, Y = (self.X, self.Y) if mode == "nominal" else (self.Xaug, self.Yaug)
        return lambda a: self.mean_loss(a, X, Y)

    def risk(self, mode, A):
        """(R(A) or R^aug(A), its gradient by autograd)."""
        return self.value_and_grad(A, self.objective(mode))

    def risks(self, mode, As):
        """The risks and gradients of B parameter vectors (B, dim) in one batched evaluation: the risks are
        separate functions of their own A_b, so the gradient of their sum with respect to A_b is ∇R(A_b)."""
        f = self.objective(mode)
        a = As.detach().clone().requires_grad_(True)
        values = f(a)
        (grads,) = torch.autograd.grad(values.sum(), a)
        return values.tolist(), grads

    @staticmethod
    def value_and_grad(A, f):
        """(f(A), ∇f(A)) by autograd."""
        a = A.detach().clone().requires_grad_(True)
        value = f(a)
        (grad,) = torch.autograd.grad(value, a)
        return float(value), grad

    def element(self, g, field):
        """A group element as the protocol sends it: an index 0..|G|−1 (docs/protocol.md §7)."""
        return integer(g, field, 0, self.G.order - 1)

    def sampled_batch(self, elements):
        """The data with sample s transformed by elements[s] (sampled augmentation)."""
        gs = torch.tensor(elements, dtype=torch.long)
        X = self.model.input_rep.apply_each(gs, self.X)
        Y = self.Y if "augment-skips-y" in self.bugs else self.model.output_rep.apply_each(gs, self.Y)
        return X, Y

    # ---- the action and the projectors (docs/theory.md §1)

    def act(self, g, A):
        return self.action.apply(g, A)

    def pi_G(self, A):
        P = self._dense("G")
        return self.action.twirl(A, self.twirl_elements) if P is None else A @ P

    def pi_L(self, A):
        if self.L_mask is not None:
            return A * self.L_mask
        if self.L_basis is not None:
            return self.L_basis.T @ (self.L_basis @ A)
        return A.clone()

    def pi_E(self, A):
        P = self._dense("E")
        if P is not None:
            return A @ P
        if self.E_basis is None:
            return self.pi_L(self.pi_G(A))
        return self.E_basis.T @ (self.E_basis @ A)

    def _dense(self, which):
        """(Π_G or Π_E)ᵀ as a dim×dim matrix, built on first use, for small dim only (None otherwise): one matrix
        product replaces the twirl's gather and mean, whose per-operation overhead dominates a flow's steps on small
        networks; above DENSE_DIM the dim² product costs more than the |G|·dim twirl."""
        if self.dense is None or self.dim > DENSE_DIM:
            return None
        if which not in self.dense:
            PG = self.action.twirl_matrix(self.twirl_elements)
            if self.E_basis is not None:
                PE = self.E_basis.T @ self.E_basis
            elif self.L_mask is not None:
                PE = self.L_mask.unsqueeze(1) * PG
            elif self.L_basis is not None:
                PE = self.L_basis.T @ (self.L_basis @ PG)
            else:
                PE = PG
            self.dense = {"G": PG.T.contiguous(), "E": PE.T.contiguous()}
        return self.dense[which]

    def perp(self, A):
        """Π_{E⊥}A = A − Π_E A."""
        return A - self.pi_E(A)

    def _admissible(self, adm):
        need(isinstance(adm, dict), "case.admissible", "expected an admissible object")
        kind = adm.get("kind")
        self.L_mask = self.L_basis = None
        if kind == "mask":
            mask = adm.get("mask")
            need(isinstance(mask, list) and len(mask) == self.dim, "case.admissible.mask", f"expected {self.dim} entries (dim H)", "dimension-mismatch")
            need(all(v in (0, 1) for v in mask), "case.admissible.mask", "expected entries 0 or 1")
            self.L_mask = torch.tensor(mask, dtype=F64)
        elif kind == "support":
            self.L_mask = self._support_mask(adm)
        elif kind == "basis":
            V = tensor_rows(adm.get("vectors"), self.dim, "case.admissible.vectors")
            self.L_basis = orthonormal_rows(V)
        else:
            need(kind == "full", "case.admissible.kind", f"unknown admissible kind {kind!r}", "unsupported")
        # an affine L = A° + L_0 (docs/theory.md §1): A° = offset − Π_L offset, the offset's part off L_0
        self.offset = torch.zeros(self.dim, dtype=F64)
        if adm.get("offset") is not None:
            need(kind != "full", "case.admissible.offset", "a full L has no affine offset")
            off = tensor_rows([adm["offset"]], self.dim, "case.admissible.offset")[0]
            self.offset = off - self.pi_L(off)
        self.E_basis = None
        if kind != "full" and not self._commutes():
            # incompatible: E_0 = {Bᵀc : (I − Π_G)Bᵀc = 0} for an orthonormal basis B (rows) of L_0
            B = self.L_basis if self.L_basis is not None else torch.eye(self.dim, dtype=F64)[self.L_mask == 1]
            if B.shape[0] == 0:
                self.E_basis = B
            else:
                M = torch.stack([q - self.pi_G(q) for q in B], dim=1)
                self.E_basis = orthonormal_rows((B.T @ nullspace(M)).T)

    def _commutes(self):
        """Π_LΠ_G = Π_GΠ_L, tested on two seeded Gaussian vectors: a non-zero commutator annihilates a Gaussian
        vector with probability 0, and round-off of the two products is ≤ |G|·dim·eps relative."""
        gen = torch.Generator().manual_seed(20250611)
        for _ in range(2):
            x = torch.randn(self.dim, generator=gen, dtype=F64)
            d = self.pi_L(self.pi_G(x)) - self.pi_G(self.pi_L(x))
            if float(d.norm()) > 1e3 * self.G.order * self.dim * EPS * float(x.norm()):
                return False
        return True

    def _support_mask(self, adm):
        cells = adm.get("support")
        if isinstance(cells, str):
            need(cells in SUPPORTS, "case.admissible.support", f"unknown kernel support {cells!r} (known: {', '.join(SUPPORTS)})")
            cells = SUPPORTS[cells]
        need(isinstance(cells, list) and len(cells) > 0, "case.admissible.support", "expected a support name or a list of cells")
        keep = torch.zeros(3, 3, dtype=F64)
        for i, cell in enumerate(cells):
            need(isinstance(cell, list) and len(cell) == 2 and all(v in (0, 1, 2) for v in cell), f"case.admissible.support[{i}]",
                 "a 3×3 kernel position is [row, column] with entries 0, 1 or 2")
            keep[cell[0], cell[1]] = 1.0
        names = adm.get("segments")
        segs = {name: (o, shape) for name, o, shape in self.model.segments}
        if names is None:
            names = [n for n, _, _ in self.model.segments if n.startswith("conv")]
        need(len(names) > 0, "case.admissible.segments", "the model has no conv segments for a kernel support")
        mask = torch.ones(self.dim, dtype=F64)
        for name in names:
            need(name in segs, "case.admissible.segments", f"no segment named {name}")
            o, shape = segs[name]
            need(len(shape) >= 2 and shape[-1] == 3 and shape[-2] == 3, "case.admissible.segments", f"segment {name} is not a 3×3 kernel")
            size = math.prod(shape)
            mask[o:o + size] = keep.reshape(-1).repeat(size // 9)
        return mask

    def _parametrization(self, par):
        need(isinstance(par, dict), "case.parametrization", "expected a parametrization object")
        if par.get("kind", "unitary") == "unitary":
            self.M = None
            return
        need(par.get("kind") == "matrix", "case.parametrization.kind", f"unknown parametrization {par.get('kind')!r}", "unsupported")
        M = par.get("M")
        need(isinstance(M, list) and len(M) == self.dim, "case.parametrization.M", f"expected {self.dim} rows (dim H)", "dimension-mismatch")
        self.M = tensor_rows(M, len(M[0]), "case.parametrization.M")

    def K(self, v):
        """K = Π_L (unitary) or MMᵀ (A = A° + Mθ)."""
        return self.pi_L(v) if self.M is None else self.M @ (self.M.T @ v)

    # ---- dynamics (docs/theory.md §4)

    def field(self, kind, gamma):
        """F, the velocity without its γ-term: v(A) = F(A) − γΠ_{E⊥}A."""
        need(kind in DYNAMICS, "kind", f"unknown dynamics {kind!r}")
        need(gamma >= 0, "gamma", f"expected γ ≥ 0, got {gamma}")
        need(kind.startswith("reg-") or gamma == 0, "gamma", f"the {kind} dynamics has no regularizer: γ must be 0, got {gamma}")
        mode = "augmented" if kind in ("augmented", "reg-augmented") else "nominal"
        if kind == "equivariant":
            return lambda A: -self.K(self.pi_E(self.risk("nominal", A)[1]))
        return lambda A: -self.K(self.risk(mode, A)[1])

    def reg_perp(self, A):
        """The direction of the regularizer's pull: Π_{E⊥}A (the planted bug 'regularizer-g-perp': Π_{G⊥}A)."""
        return A - self.pi_G(A) if "regularizer-g-perp" in self.bugs else self.perp(A)

    def step(self, kind, A, eta, gamma):
        """A + η v(A); the regularizer pulls towards A° + E_0: −γΠ_{E⊥}(A − A°), which lies in L_0 (§4)."""
        return A + eta * (self.field(kind, gamma)(A) - gamma * self.reg_perp(A - self.offset))

    def sampled_step(self, A, eta, gamma, elements):
        X, Y = self.sampled_batch(elements)
        _, grad = self.value_and_grad(A, lambda a: self.mean_loss(a, X, Y))
        return A - eta * (self.K(grad) + gamma * self.perp(A - self.offset))

    def flow(self, kind, A, gamma, times, h):
        """Krogstad's ETDRK4 with fixed step h (docs/protocol.md, flow; docs/theory.md §9), as eqflow's reference, for
        v = −γΠ_{E⊥}x + F: an operator c(z), z = −γh, acts as c(0) on E_0 and c(z) on E⊥, so the fixed points are
        the zeros of v for every step. The last step before each requested time is shortened to land on it. It runs
        in x = A − A°, where the linear part keeps L_0 invariant (an affine L stays affine)."""
        F0 = self.field(kind, gamma)

        def F(x):
            return F0(x + self.offset)

        def combine(u, decay, hh, N, a0, az):
            """u·c_0 + h Σ_j a_j N_j with c_0 = 1 on E_0, decay on E⊥; a_j = a0[j] on E_0 and az[j] on E⊥."""
            base = u + hh * sum(a * n for a, n in zip(a0, N))
            if gamma == 0:
                return base
            return base + self.reg_perp((decay - 1) * u + hh * sum((b - a) * n for a, b, n in zip(a0, az, N)))

        coefficients = {}  # φ_k(z), φ_k(z/2) per step size: one h, and at most one shortened step per requested time

        def etdrk4(x, hh):
            if hh not in coefficients:
                coefficients[hh] = (phi(-gamma * hh), phi(-gamma * hh / 2))
            (e1, p1, p2, p3), (eh, q1, q2, _) = coefficients[hh]
            N1 = F(x)
            N2 = F(combine(x, eh, hh, [N1], [0.5], [0.5 * q1]))
            N3 = F(combine(x, eh, hh, [N1, N2], [0, 0.5], [0.5 * q1 - q2, q2]))
            N4 = F(combine(x, e1, hh, [N1, N3], [0, 1], [p1 - 2 * p2, 2 * p2]))
            return combine(x, e1, hh, [N1, N2 + N3, N4], [1 / 6, 1 / 3, 1 / 6], [p1 - 3 * p2 + 4 * p3, 2 * p2 - 4 * p3, 4 * p3 - p2])

        x, t, out = A - self.offset, 0.0, []
        for i, ti in enumerate(times):
            need(ti >= t, f"times[{i}]", f"times must be non-decreasing and ≥ 0, got {ti} after {t}")
            s, T = 0.0, ti - t
            while s < T:
                hh = min(h, T - s)
                x = etdrk4(x, hh)
                s = T if T - s - hh <= 1e-12 * T else s + hh
                if not bool(torch.isfinite(x).all()):
                    raise ProtocolError("not-finite", "points", f"the state stopped being finite before t = {t + s}; the step may be too large")
            t = ti
            out.append(x + self.offset)
        return out
