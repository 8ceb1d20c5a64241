#!/usr/bin/env python3
"""An implementation of the eqflow/1 protocol (docs/protocol.md) for dense MLP cases, written in numpy.

It is independent of eqflow's TypeScript: groups, representations, the induced action, the projectors, the
risks, backpropagation, the steps and the flows are all computed here from the Case JSON alone, following the
conventions of docs/protocol.md. eqflow then checks it against docs/theory.md with its theorem claims:

    eqflow verify --impl "/usr/bin/python3 examples/python/eqflow_mlp.py"

`--dtype float32` computes every answer natively in float32 (the Case's matrices and bases are built in float64,
then stored in float32, as a float32 library holds its constants) and announces "precision": "float32" in the
handshake, so eqflow judges it at float32's unit roundoff (docs/theory.md §10):

    eqflow verify --impl "/usr/bin/python3 examples/python/eqflow_mlp.py --dtype float32"

`--dtype tf32` is float32 with every matrix product taken as a GPU with TF32 on takes it (PyTorch's
`allow_tf32`): both operands rounded to a 10-bit mantissa, the sums in float32. It announces "tf32" and is judged
at u = 2⁻¹¹.

Supported: model kind "mlp" with any representation kind of the Case schema (trivial, shift, rot90, natural,
adjacency, rotation2d, permutation, signed, dense, sum, tensor, factor), every activation, bias, the squared and
cross-entropy losses, explicit data (eqflow always sends explicit data), admissible full / mask / basis, the
unitary and matrix parametrizations, affine admissible sets (an `offset`), SO(2)/O(2) by their N-point Haar rule with
band-limited and circle representations. Other cases (CNNs, groups by generators) are refused with the error code "unsupported".

`main(buggy=True)` (eqflow_mlp_buggy.py) plants one bug: the induced action uses rho_i(g) where rho_i(g)^{-1}
belongs. Everything else is the same code.
"""
import argparse
import json
import math
import sys
import traceback

import numpy as np

PROTOCOL = "eqflow/1"
CAPABILITIES = ["action", "projectors", "risk", "step", "sampled-step", "flow"]
DYNAMICS = ("nominal", "augmented", "equivariant", "reg-augmented", "reg-nominal")
EPS = np.finfo(np.float64).eps
DTYPE = np.float64  # the arithmetic of every answer: --dtype float32 sets np.float32 before any case is built
TF32 = False  # --dtype tf32: float32 storage, every matrix product's operands rounded to TF32 (as on an Ampere GPU)


def tf32(x):
    """x rounded to TF32's 10-bit mantissa: round to nearest, ties away from zero (the GPU's cvt.rna.tf32.f32)."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    return ((bits + np.uint32(0x1000)) & np.uint32(0xFFFFE000)).view(np.float32)


def precision_name():
    """The handshake's precision: the arithmetic every answer is computed in."""
    return "tf32" if TF32 else np.dtype(DTYPE).name


def mm(a, b):
    """a @ b in the announced arithmetic: under TF32 the operands lose 13 mantissa bits, the sums stay float32."""
    return tf32(a) @ tf32(b) if TF32 else a @ b


class ProtocolError(Exception):
    """An error answer: {"code", "field", "message"} (codes as in docs/protocol.md, Errors)."""

    def __init__(self, code, field, message):
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


def need(ok, field, message, code="invalid-argument"):
    if not ok:
        raise ProtocolError(code, field, message)


def integer(v, field, lo=0, hi=None):
    need(isinstance(v, int) and not isinstance(v, bool) and v >= lo and (hi is None or v <= hi), field,
         f"expected an integer in {lo}..{'' if hi is None else hi}, got {v!r}")
    return v


def number(v, field):
    need(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v), field,
         f"expected a finite number, got {v!r}", "not-finite" if isinstance(v, float) else "invalid-argument")
    return float(v)


def vector(v, n, field):
    need(isinstance(v, list), field, f"expected an array of {n} numbers")
    need(len(v) == n, field, f"expected length {n}, got {len(v)}", "dimension-mismatch")
    # type() checks first: np.array would silently turn the string "1" into 1.0 (and True into 1.0)
    if not all(type(x) is float or type(x) is int for x in v):
        for i, x in enumerate(v):
            number(x, f"{field}[{i}]")
    a = np.array(v, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        i = int(np.argmin(np.isfinite(a)))
        number(v[i], f"{field}[{i}]")
    return a


def finite_out(x, field):
    """Never answer NaN/Inf: JSON cannot carry them, and a non-finite result is an error of this side. An array
    answer must be in the announced dtype: a silent upcast to float64 would misstate the precision."""
    if x.dtype != DTYPE and field != "value":
        raise ProtocolError("internal", field, f"computed in {x.dtype}, but the announced dtype is {np.dtype(DTYPE).name}")
    if not np.all(np.isfinite(x)):
        i = int(np.argmin(np.isfinite(np.ravel(x))))
        raise ProtocolError("not-finite", field, f"the result became {np.ravel(x)[i]} at entry {i}")
    return x


# ---------------------------------------------------------------------------------------------------- groups

class Group:
    """Element indices 0..order-1 in eqflow's numbering (docs/protocol.md, Groups); family tells what they mean."""

    def __init__(self, order, family, n=None, perms=None, factors=None):
        self.order, self.family, self.n, self.perms, self.factors = order, family, n, perms, factors


def from_generators(gens, field):
    """Breadth-first closure in eqflow's order: start at the identity, append g*s for each new g, s in order."""
    need(len(gens) > 0, field, "give at least one permutation")
    d = len(gens[0])
    for k, p in enumerate(gens):
        need(sorted(p) == list(range(d)), f"{field}[{k}]", f"not a permutation of 0..{d - 1}", "not-a-group")
    ident = tuple(range(d))
    perms, index = [ident], {ident: 0}
    q = 0
    while q < len(perms):
        g = perms[q]
        for s in gens:
            gs = tuple(g[s[i]] for i in range(d))
            if gs not in index:
                need(len(perms) < 40320, field, "the generated group has more than 40320 elements")
                index[gs] = len(perms)
                perms.append(gs)
        q += 1
    return perms


def build_group(spec, field="case.group"):
    kind = spec.get("kind")
    if kind == "cyclic":
        return Group(integer(spec["n"], f"{field}.n", 1), "cyclic", n=spec["n"])
    if kind == "dihedral":
        return Group(2 * integer(spec["n"], f"{field}.n", 1), "dihedral", n=spec["n"])
    if kind == "symmetric":
        n = integer(spec["n"], f"{field}.n", 1, 6)
        ident = list(range(n))
        swap = ident[:]
        if n >= 2:
            swap[0], swap[1] = 1, 0
        cycle = [(i + 1) % n for i in ident]
        perms = from_generators([swap, cycle], field)
        return Group(len(perms), "permutation", perms=perms)
    if kind == "generators":
        perms = from_generators(spec["perms"], f"{field}.perms")
        return Group(len(perms), "permutation", perms=perms)
    if kind == "product":
        a = build_group(spec["factors"][0], f"{field}.factors[0]")
        b = build_group(spec["factors"][1], f"{field}.factors[1]")
        return Group(a.order * b.order, "product", factors=(a, b))
    if kind == "table":
        return Group(len(spec["table"]), "table")
    if kind in ("SO2", "O2"):
        # the exact N-point Haar rule of SO(2)/O(2) (docs/protocol.md §7): C_N or D_N in the same numbering, θ_j = 2πj/N
        n = integer(spec["points"], f"{field}.points", 1)
        return Group(n if kind == "SO2" else 2 * n, "cyclic" if kind == "SO2" else "dihedral", n=n)
    raise ProtocolError("unsupported", f"{field}.kind", f"unknown group kind {kind!r}")


# ------------------------------------------------------------------------------------------ representations

def monomial(G, d, target, sign=None):
    """rho(g) e_i = sign(g, i) e_{target(g, i)}: column i of rho(g) has its one non-zero at row target(g, i)."""
    m = np.zeros((G.order, d, d))
    for g in range(G.order):
        for i in range(d):
            m[g, target(g, i), i] = 1.0 if sign is None else sign(g, i)
    return m


def band_limited(G, ks, field):
    """⊕_k ψ_k at the rule's elements g = j + N·f = r_θ s^f, θ = 2πj/N: ψ_0 = 1, ψ_k = R(kθ)·diag(1, (−1)^f)."""
    need(G.family in ("cyclic", "dihedral"), field, "a band-limited representation needs SO2/O2 (or C_N/D_N)")
    need(len(ks) > 0, field, "give at least one frequency")
    d = sum(1 if k == 0 else 2 for k in ks)
    m = np.zeros((G.order, d, d))
    for g in range(G.order):
        t, f = 2 * np.pi * (g % G.n) / G.n, g >= G.n
        o = 0
        for k in ks:
            if k == 0:
                m[g, o, o] = 1.0
                o += 1
                continue
            c, s = math.cos(k * t), math.sin(k * t)
            # r_θ s: reflect (x, y) ↦ (x, −y) first, so the second column changes sign
            m[g, o:o + 2, o:o + 2] = [[c, s if f else -s], [s, -c if f else c]]
            o += 2
    return m


def build_rep(G, spec, field):
    """rho as an array of shape (|G|, d, d): rho[g] is the orthogonal matrix of element g (docs/protocol.md)."""
    kind = spec.get("kind")
    if kind == "trivial":
        d = integer(spec.get("dim", 1), f"{field}.dim", 0)
        return np.broadcast_to(np.eye(d), (G.order, d, d)).copy()
    if kind == "shift":
        need(G.family == "cyclic", field, "cyclic shifts need a cyclic group")
        d = integer(spec["dim"], f"{field}.dim", 1)
        s = spec["step"] if "step" in spec else d / G.n
        need(float(s).is_integer() and (G.n * int(s)) % d == 0, f"{field}.step", f"shift step {s} on R^{d} does not satisfy r^{G.n} = e",
             "not-a-representation")
        s = int(s)
        return monomial(G, d, lambda g, i: (i + g * s) % d)
    if kind == "rot90":
        need(G.family in ("cyclic", "dihedral") and G.n == 4, field, "rot90 needs C4 or D4")
        k = integer(spec["k"], f"{field}.k", 1)
        c = integer(spec.get("channels", 1), f"{field}.channels", 1)
        kk = k * k

        def target(g, idx):
            ch, i, j = idx // kk, (idx % kk) // k, idx % k
            a, f = g % 4, g // 4
            if f:
                j = k - 1 - j
            for _ in range(a):
                i, j = k - 1 - j, i
            return ch * kk + i * k + j
        return monomial(G, c * kk, target)
    if kind == "natural":
        need(G.family == "permutation", field, "the natural representation needs a permutation group")
        return monomial(G, len(G.perms[0]), lambda g, i: G.perms[g][i])
    if kind == "adjacency":
        nat = build_rep(G, {"kind": "natural"}, field)
        return np.stack([np.kron(p, p) for p in nat])
    if kind == "rotation2d":
        need(G.family == "cyclic", field, "rotation2d needs a cyclic group")
        t = 2 * np.pi * np.arange(G.order) / G.n
        return np.stack([np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]]) for a in t])
    if kind == "band-limited":
        return band_limited(G, [integer(k, f"{field}.frequencies[{i}]", 0) for i, k in enumerate(spec["frequencies"])], field)
    if kind == "circle":
        return band_limited(G, list(range(integer(spec["K"], f"{field}.K", 0) + 1)), field)
    if kind in ("permutation", "signed"):
        perms = spec["perms"]
        need(len(perms) == G.order, f"{field}.perms", f"expected one table per element ({G.order}), got {len(perms)}",
             "dimension-mismatch")
        d = len(perms[0])
        signs = spec.get("signs")
        return monomial(G, d, lambda g, i: perms[g][i], None if signs is None else (lambda g, i: float(signs[g][i])))
    if kind == "dense":
        d = integer(spec["dim"], f"{field}.dim", 1)
        mats = spec["matrices"]
        need(len(mats) == G.order, f"{field}.matrices", f"expected {G.order} matrices, got {len(mats)}", "dimension-mismatch")
        return np.stack([np.array(m, dtype=np.float64).reshape(d, d) for m in mats])
    if kind == "sum":
        parts = [build_rep(G, p, f"{field}.parts[{k}]") for k, p in enumerate(spec["parts"])]
        d = sum(p.shape[1] for p in parts)
        m = np.zeros((G.order, d, d))
        o = 0
        for p in parts:
            n = p.shape[1]
            m[:, o:o + n, o:o + n] = p
            o += n
        return m
    if kind == "tensor":
        a = build_rep(G, spec["a"], f"{field}.a")
        b = build_rep(G, spec["b"], f"{field}.b")
        return np.stack([np.kron(a[g], b[g]) for g in range(G.order)])
    if kind == "factor":
        need(G.family == "product", field, "a factor representation needs a product group")
        which = spec["which"]
        sub = build_rep(G.factors[which], spec["rep"], f"{field}.rep")
        m = G.factors[1].order
        return np.stack([sub[x // m] if which == 0 else sub[x % m] for x in range(G.order)])
    raise ProtocolError("unsupported", f"{field}.kind", f"unknown representation kind {kind!r}")


# -------------------------------------------------------------------------------------------- activations

def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def activation(name, n, field):
    """(forward, backward) with backward(z, a, ga) = D sigma(z)^T ga, pointwise."""
    if name == "tanh":
        return np.tanh, lambda z, a, ga: ga * (1 - a * a)
    if name == "identity":
        return (lambda z: z.copy()), lambda z, a, ga: ga
    if name == "square":
        return (lambda z: z * z), lambda z, a, ga: 2 * z * ga
    if name == "sigmoid":
        return _sigmoid, lambda z, a, ga: ga * a * (1 - a)
    if name == "softplus":
        return (lambda z: np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))), lambda z, a, ga: ga * _sigmoid(z)
    if name.startswith("leaky-relu(") and name.endswith(")"):
        s = float(name[len("leaky-relu("):-1])
        return (lambda z: np.where(z > 0, z, s * z)), lambda z, a, ga: np.where(z > 0, ga, s * ga)
    if name == "biased-tanh":
        # eqflow's negative control: tanh(z_k + c_k), c_k = sin(1.7k + 0.3)/2, not equivariant (A2 fails)
        c = (0.5 * np.sin(1.7 * np.arange(n) + 0.3)).astype(DTYPE)
        return (lambda z: np.tanh(z + c)), lambda z, a, ga: ga * (1 - a * a)
    raise ProtocolError("unsupported", field, f"unknown activation {name!r}")


# ---------------------------------------------------------------------------------------------------- cases

class Case:
    """A built MLP case: layer layout, induced action, projectors, data, risks."""

    def __init__(self, spec, buggy):
        model = spec.get("model", {})
        need(model.get("kind") == "mlp", "case.model.kind", f"this implementation handles dense MLPs only, got {model.get('kind')!r}",
             "unsupported")
        G = self.G = build_group(spec["group"])
        reps = [build_rep(G, model["input"], "case.model.input")]
        reps += [build_rep(G, h, f"case.model.hidden[{i}]") for i, h in enumerate(model.get("hidden", []))]
        reps.append(build_rep(G, model["output"], "case.model.output"))
        L = len(reps) - 1
        self.bias = bool(model.get("bias", False))
        self.widths = [r.shape[1] for r in reps]
        self.acts = []
        for i in range(L):
            name = model.get("activation", "tanh") if i < L - 1 else model.get("outputActivation", "identity")
            self.acts.append(activation(name, self.widths[i + 1], f"case.model.{'activation' if i < L - 1 else 'outputActivation'}"))
        # segment i: A_i, shape [n_{i+1}, n_i + b], row-major, segments in layer order
        self.shapes, self.offsets = [], []
        o = 0
        for i in range(L):
            shape = (self.widths[i + 1], self.widths[i] + (1 if self.bias else 0))
            self.shapes.append(shape)
            self.offsets.append(o)
            o += shape[0] * shape[1]
        self.dim = o
        # the action on segment i: W -> P W Q^{-1} = P W Q^T, P = rho_{i+1}(g), Q = rho_i(g) (+) 1 with a bias
        self.out_mats = [reps[i + 1] for i in range(L)]
        self.in_mats = []
        for i in range(L):
            q = reps[i]
            if self.bias:
                n = q.shape[1]
                qb = np.zeros((G.order, n + 1, n + 1))
                qb[:, :n, :n] = q
                qb[:, n, n] = 1.0
                q = qb
            # THE PLANTED BUG (buggy=True): W -> P W Q, i.e. rho_i(g) where rho_i(g)^{-1} = rho_i(g)^T belongs
            self.in_mats.append(np.transpose(q, (0, 2, 1)) if not buggy else q)
        self.rho_in, self.rho_out = reps[0], reps[-1]
        self._data(spec.get("data", {}))
        self.loss = spec.get("loss", "squared")
        need(self.loss in ("squared", "cross-entropy"), "case.loss", f"unknown loss {self.loss!r}", "unsupported")
        self._admissible(spec.get("admissible", {"kind": "full"}))
        self._parametrization(spec.get("parametrization", {"kind": "unitary"}))
        self._store(DTYPE)

    def _store(self, dtype):
        """Every constant the answers use, in the answers' dtype (built in float64 above)."""
        cast = lambda a: None if a is None else a.astype(dtype)  # noqa: E731
        self.out_mats, self.in_mats = [cast(m) for m in self.out_mats], [cast(m) for m in self.in_mats]
        self.rho_in, self.rho_out = cast(self.rho_in), cast(self.rho_out)
        self.X, self.Y, self.Xaug, self.Yaug = cast(self.X), cast(self.Y), cast(self.Xaug), cast(self.Yaug)
        self.L_basis, self.E_basis, self.M = cast(self.L_basis), cast(self.E_basis), cast(self.M)
        self.offset = cast(self.offset)
        if hasattr(self, "mask"):
            self.mask = cast(self.mask)

    def _data(self, data):
        need(data.get("kind") == "explicit", "case.data.kind", "eqflow sends explicit data; got " + repr(data.get("kind")), "unsupported")
        x, y = data["x"], data["y"]
        need(len(x) == len(y) and len(x) > 0, "case.data.y", f"{len(x)} inputs but {len(y)} targets", "dimension-mismatch")
        self.X = np.array([vector(r, self.widths[0], f"case.data.x[{s}]") for s, r in enumerate(x)])
        self.Y = np.array([vector(r, self.widths[-1], f"case.data.y[{s}]") for s, r in enumerate(y)])
        self.count = len(x)
        # data-side augmentation, order (g, s): every sample transformed by every element (docs/theory.md section 3)
        self.Xaug = np.concatenate([mm(self.X, self.rho_in[g].T) for g in range(self.G.order)])
        self.Yaug = np.concatenate([mm(self.Y, self.rho_out[g].T) for g in range(self.G.order)])

    def _admissible(self, adm):
        kind = adm.get("kind")
        self.L_kind = kind
        if kind == "full":
            self.L_basis = None
        elif kind == "mask":
            mask = adm["mask"]
            need(len(mask) == self.dim, "case.admissible.mask", f"expected length {self.dim}, got {len(mask)}", "dimension-mismatch")
            self.mask = np.array(mask, dtype=np.float64)
            self.L_basis = np.eye(self.dim)[self.mask == 1]
        elif kind == "basis":
            V = np.array([vector(v, self.dim, f"case.admissible.vectors[{k}]") for k, v in enumerate(adm["vectors"])])
            self.L_basis = orthonormal_rows(V)
        else:
            raise ProtocolError("unsupported", "case.admissible.kind", f"admissible {kind!r} is for CNN kernels; not supported here")
        if self.L_basis is None:
            self.E_basis = None  # L = H: Pi_E = Pi_G
        else:
            # E_0 = L_0 ∩ H_G: coefficients c with (I - Pi_G) B^T c = 0, then orthonormalized (any L, compatible or not)
            B = self.L_basis
            M = np.stack([q - self.pi_G(q) for q in B], axis=1) if len(B) else np.zeros((self.dim, 0))
            # each entry of M carries the twirl's round-off, O(|G| d) for dense rho; Weyl: sigma moves by <= ||dM||_F
            noise = 16 * self.G.order * self.dim * EPS * np.sqrt(self.dim * len(B))
            self.E_basis = orthonormal_rows((B.T @ nullspace(M, noise)).T) if len(B) else np.zeros((0, self.dim))
        # an affine L = A0 + L_0: A0 reduced to its component orthogonal to L_0 (docs/protocol.md, admissible)
        off = adm.get("offset")
        self.offset = np.zeros(self.dim) if off is None else vector(off, self.dim, "case.admissible.offset")
        self.offset = self.offset - self.pi_L(self.offset)

    def _parametrization(self, par):
        if par.get("kind", "unitary") == "unitary":
            self.M = None
        else:
            self.M = np.array(par["M"], dtype=np.float64)
            need(self.M.shape[0] == self.dim, "case.parametrization.M", f"expected {self.dim} rows, got {self.M.shape[0]}", "dimension-mismatch")

    # --- action and projectors

    def act(self, g, A):
        out = np.empty_like(A)
        for i, (o, (r, c)) in enumerate(zip(self.offsets, self.shapes)):
            W = A[o:o + r * c].reshape(r, c)
            out[o:o + r * c] = mm(mm(self.out_mats[i][g], W), self.in_mats[i][g]).ravel()
        return out

    def pi_G(self, A):
        return sum(self.act(g, A) for g in range(self.G.order)) / self.G.order

    def pi_L(self, A):
        if self.L_kind == "full":
            return A.copy()
        if self.L_kind == "mask":
            return A * self.mask
        return mm(self.L_basis.T, mm(self.L_basis, A))

    def pi_E(self, A):
        if self.E_basis is None:
            return self.pi_G(A)
        return mm(self.E_basis.T, mm(self.E_basis, A))

    def perp(self, A):
        return A - self.pi_E(A)

    def K(self, v):
        """K = M M^T for a matrix parametrization; Pi_L for the unitary one."""
        return self.pi_L(v) if self.M is None else mm(self.M, mm(self.M.T, v))

    # --- network, loss, backpropagation

    def loss_grad(self, A, X, Y, weight):
        Ws = [A[o:o + r * c].reshape(r, c) for o, (r, c) in zip(self.offsets, self.shapes)]
        h, ins, zs, hs = X, [], [], []
        for W, (f, _) in zip(Ws, self.acts):
            inp = np.hstack([h, np.ones((h.shape[0], 1), dtype=h.dtype)]) if self.bias else h
            z = mm(inp, W.T)
            h = f(z)
            ins.append(inp)
            zs.append(z)
            hs.append(h)
        if self.loss == "squared":
            d = h - Y
            value = 0.5 * float(np.sum(d * d))
            ga = d
        else:
            m = np.max(h, axis=1, keepdims=True)
            logZ = m + np.log(np.sum(np.exp(h - m), axis=1, keepdims=True))
            value = -float(np.sum(Y * (h - logZ)))
            ga = np.sum(Y, axis=1, keepdims=True) * np.exp(h - logZ) - Y
        ga = ga * weight
        grad = np.zeros(self.dim, dtype=DTYPE)
        for i in range(len(Ws) - 1, -1, -1):
            gz = self.acts[i][1](zs[i], hs[i], ga)
            o, (r, c) = self.offsets[i], self.shapes[i]
            grad[o:o + r * c] = mm(gz.T, ins[i]).ravel()
            if i > 0:
                ga = mm(gz, Ws[i])[:, :self.widths[i]]
        return weight * value, grad

    def risk(self, mode, A):
        if mode == "nominal":
            return self.loss_grad(A, self.X, self.Y, 1.0 / self.count)
        return self.loss_grad(A, self.Xaug, self.Yaug, 1.0 / (self.G.order * self.count))

    # --- dynamics (docs/theory.md section 4)

    def field(self, kind, gamma):
        """(F, gamma): the velocity is F(A) - gamma Pi_{E perp} A, F the nonlinear part."""
        need(kind in DYNAMICS, "kind", f"unknown dynamics {kind!r}")
        need(gamma >= 0, "gamma", f"expected gamma >= 0, got {gamma}")
        regularized = kind in ("reg-augmented", "reg-nominal")
        need(regularized or gamma == 0, "gamma", f"the {kind} dynamics has no regularizer; gamma must be 0")
        mode = "augmented" if kind in ("augmented", "reg-augmented") else "nominal"

        def F(A):
            g = self.risk(mode, A)[1]
            if kind == "equivariant":
                v = self.pi_E(g)
                return -(v if self.M is None else mm(self.M, mm(self.M.T, v)))
            return -self.K(g)
        return F

    def velocity(self, kind, A, gamma):
        """The regularizer pulls towards A0 + E_0: -gamma Pi_{E perp}(A - A0), which lies in L_0 (docs/theory.md section 4)."""
        return self.field(kind, gamma)(A) - gamma * self.perp(A - self.offset)

    def flow(self, kind, A, gamma, times, h):
        """Krogstad's exponential RK4 (ETDRK4) with fixed step h, restarted at each requested time: the linear term
        -gamma Pi_{E perp} a enters through phi_k(hL), applied as phi_k(0) on E and phi_k(-gamma h) on E perp (plain
        RK4 when gamma = 0); its fixed points are exactly the zeros of the velocity, for any h and gamma. It runs in
        a = A - A0, so that the scheme keeps L_0 and the affine L (docs/theory.md section 4)."""
        F0 = self.field(kind, gamma)

        def F(a):
            return F0(a + self.offset)

        def comb(u, decay, hh, terms):
            """e^{cz}u + hh sum a(hL) N over terms (a(0), a(z), N), with one projection:
            u + hh sum a(0) N + Pi_{E perp}[(decay - 1) u + hh sum (a(z) - a(0)) N]"""
            out = u + hh * sum(a0 * N for a0, _, N in terms)
            if gamma == 0:
                return out
            return out + self.perp((decay - 1) * u + hh * sum((az - a0) * N for a0, az, N in terms))

        x, t, out = A - self.offset, 0.0, []
        for k, tk in enumerate(times):
            need(tk >= t, f"times[{k}]", f"times must be non-decreasing and >= 0, got {tk} after {t}")
            s, T = 0.0, tk - t
            while s < T:
                hh = min(h, T - s)
                e1, p1, p2, p3 = phis(-gamma * hh)
                eh, q1, q2, _ = phis(-gamma * hh / 2)
                N1 = F(x)
                N2 = F(comb(x, eh, hh, [(0.5, 0.5 * q1, N1)]))
                N3 = F(comb(x, eh, hh, [(0, 0.5 * q1 - q2, N1), (0.5, q2, N2)]))
                N4 = F(comb(x, e1, hh, [(0, p1 - 2 * p2, N1), (1, 2 * p2, N3)]))
                x = comb(x, e1, hh, [(1 / 6, p1 - 3 * p2 + 4 * p3, N1), (1 / 3, 2 * p2 - 4 * p3, N2 + N3), (1 / 6, 4 * p3 - p2, N4)])
                s = T if T - s - hh <= 1e-12 * T else s + hh
                finite_out(x, "points")
            t = tk
            out.append(x + self.offset)
        return out


def phis(z):
    """phi_0..phi_3 at real z <= 0: the Taylor series sum_j z^j/(j+k)! for |z| < 1 (the recurrence cancels there),
    else phi_0 = e^z and phi_{k+1} = (phi_k - 1/k!)/z."""
    if abs(z) < 1:
        out = []
        for k in range(4):
            term, acc = 1.0 / math.factorial(k), 0.0
            for j in range(25):
                acc += term
                term *= z / (j + k + 1)
            out.append(acc)
        return out
    p0 = math.exp(z)
    p1 = (p0 - 1) / z
    p2 = (p1 - 1) / z
    return [p0, p1, p2, (p2 - 0.5) / z]


def orthonormal_rows(V):
    """An orthonormal basis (rows) of the row space of V, by SVD."""
    if V.shape[0] == 0:
        return V
    _, s, vt = np.linalg.svd(V, full_matrices=False)
    tol = 10 * max(V.shape) * EPS * max(s.max(initial=0.0), 1.0)
    return vt[s > tol]


def nullspace(M, noise=0.0):
    """Columns spanning {c : M c = 0}; singular values <= 10 max(m, n) eps max(s_max, 1), or <= noise (a bound on
    the round-off M carries) when larger, count as zero."""
    m, n = M.shape
    _, s, vt = np.linalg.svd(M, full_matrices=True)
    tol = max(10 * max(m, n) * EPS * max(s.max(initial=0.0), 1.0), noise)
    rank = int(np.sum(s > tol))
    return vt[rank:].T


# ------------------------------------------------------------------------------------------------ protocol

class Server:
    def __init__(self, buggy):
        self.buggy = buggy
        self.name = f"eqflow_mlp{'_buggy' if buggy else ''}.py (numpy {np.__version__}{'' if DTYPE is np.float64 else ', ' + precision_name()})"
        self.sessions, self.cache, self.next = {}, {}, 1

    def session(self, msg):
        s = msg.get("session")
        need(s in self.sessions, "session", f"no open session {s!r}")
        return self.sessions[s]

    def handle(self, msg):
        op = msg.get("op")
        if op == "open":
            key = json.dumps(msg["case"], sort_keys=True)
            case = self.cache.get(key)
            if case is None:
                if len(self.cache) > 32:
                    self.cache.clear()  # bounded over long property runs
                case = self.cache[key] = Case(msg["case"], self.buggy)
            sid = f"s{self.next}"
            self.next += 1
            self.sessions[sid] = case
            return {"session": sid, "dim": case.dim}
        if op == "close":
            self.sessions.pop(msg.get("session"), None)
            return {}
        c = self.session(msg)
        A = vector(msg.get("A"), c.dim, "A").astype(DTYPE)  # a float32 implementation rounds its inputs on arrival
        if op == "act":
            return {"A": finite_out(c.act(integer(msg.get("g"), "g", 0, c.G.order - 1), A), "A").tolist()}
        if op == "project":
            which = msg.get("which")
            need(which in ("G", "L", "E"), "which", f"expected G, L or E, got {which!r}")
            return {"A": finite_out({"G": c.pi_G, "L": c.pi_L, "E": c.pi_E}[which](A), "A").tolist()}
        if op == "risk":
            mode = msg.get("mode")
            need(mode in ("nominal", "augmented"), "mode", f"expected nominal or augmented, got {mode!r}")
            value, grad = c.risk(mode, A)
            finite_out(np.array([value]), "value")
            return {"value": value, "gradient": finite_out(grad, "gradient").tolist()}
        if op == "step":
            eta, gamma = number(msg.get("eta"), "eta"), number(msg.get("gamma"), "gamma")
            return {"A": finite_out(A + eta * c.velocity(msg.get("kind"), A, gamma), "A").tolist()}
        if op == "sampledStep":
            eta, gamma = number(msg.get("eta"), "eta"), number(msg.get("gamma"), "gamma")
            el = msg.get("elements")
            need(isinstance(el, list) and len(el) == c.count, "elements", f"expected {c.count} element indices (one per sample)",
                 "dimension-mismatch")
            for s, g in enumerate(el):
                integer(g, f"elements[{s}]", 0, c.G.order - 1)
            X = np.stack([mm(c.rho_in[g], c.X[s]) for s, g in enumerate(el)])
            Y = np.stack([mm(c.rho_out[g], c.Y[s]) for s, g in enumerate(el)])
            grad = c.loss_grad(A, X, Y, 1.0 / c.count)[1]
            return {"A": finite_out(A - eta * (c.K(grad) + gamma * c.perp(A - c.offset)), "A").tolist()}
        if op == "flow":
            gamma, h = number(msg.get("gamma"), "gamma"), number(msg.get("step"), "step")
            need(h > 0, "step", f"expected a step > 0, got {h}")
            times = msg.get("times")
            need(isinstance(times, list), "times", "expected an array of times")
            times = [number(t, f"times[{k}]") for k, t in enumerate(times)]
            return {"points": [p.tolist() for p in c.flow(msg.get("kind"), A, gamma, times, h)]}
        raise ProtocolError("unsupported", "op", f"unknown op {op!r}")


def main(buggy=False):
    global DTYPE, TF32
    parser = argparse.ArgumentParser(description="an eqflow/1 implementation of dense MLP cases in numpy")
    parser.add_argument("--dtype", choices=("float64", "float32", "tf32"), default="float64", help="the arithmetic of every answer (announced as the handshake's precision)")
    dtype = parser.parse_args().dtype
    TF32 = dtype == "tf32"
    DTYPE = np.float32 if TF32 else np.dtype(dtype).type
    np.seterr(over="ignore", invalid="ignore")  # overflow shows up as a non-finite result, refused by finite_out
    server = Server(buggy)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    while True:
        raw = inp.readline()
        if not raw:
            break  # stdin closed: the protocol's shutdown
        line = raw.decode("utf-8").strip()
        if not line:
            continue
        msg = json.loads(line)
        if "hello" in msg:
            reply = {"protocol": PROTOCOL, "name": server.name, "capabilities": CAPABILITIES, "precision": precision_name()}
        else:
            rid = msg.get("id")
            try:
                reply = {"id": rid, **server.handle(msg)}
            except ProtocolError as e:
                reply = {"id": rid, "error": {"code": e.code, "field": e.field, "message": e.message}}
            except (KeyError, TypeError, ValueError, IndexError) as e:
                # a field missing or of the wrong type in the request or the case
                traceback.print_exc(file=sys.stderr)
                reply = {"id": rid, "error": {"code": "invalid-argument", "message": f"{type(e).__name__}: {e}"}}
            except Exception as e:  # noqa: BLE001 - any other failure is answered, never a silent exit
                traceback.print_exc(file=sys.stderr)
                reply = {"id": rid, "error": {"code": "internal", "message": f"{type(e).__name__}: {e}"}}
        # allow_nan=False: NaN/Inf are not JSON (finite_out already refused them); repr of a float round-trips
        out.write((json.dumps(reply, allow_nan=False, separators=(",", ":")) + "\n").encode("utf-8"))
        out.flush()


if __name__ == "__main__":
    main()
