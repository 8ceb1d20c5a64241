"""Orthogonal representations ρ: G → O(d) (docs/protocol.md §7, Representations), as float64 torch tensors.

A monomial representation is stored in gather form: (ρ(g)x)_j = sgn[g, j]·x[src[g, j]], which is the protocol's
"ρ(g)e_i = s·e_t" read backwards (src[g, t] = i). Anything else keeps its matrices (|G|, d, d). Direct sums and
Kronecker products of monomial representations stay monomial, so the induced action ρ̄ = ⊕_i ρ_{i+1} ⊗ (ρ_i ⊕ 1)
on the parameters of every built-in network is one gather.
"""
import math

import torch

from .errors import ProtocolError, integer, need

F64 = torch.float64


class Rep:
    """ρ on R^dim: monomial (src, sgn) or dense (mats)."""

    def __init__(self, order, dim, src=None, sgn=None, mats=None):
        self.order, self.dim, self.src, self.sgn, self.mats = order, dim, src, sgn, mats

    @property
    def monomial(self):
        return self.src is not None

    @staticmethod
    def from_targets(target, sign=None):
        """ρ(g)e_i = sign[g, i]·e_{target[g, i]}: target (|G|, d) LongTensor, sign (|G|, d) or None (all +1)."""
        order, d = target.shape
        sign = torch.ones(order, d, dtype=F64) if sign is None else sign.to(F64)
        src = torch.empty_like(target)
        sgn = torch.empty(order, d, dtype=F64)
        idx = torch.arange(d).expand(order, d).contiguous()
        src.scatter_(1, target, idx)
        sgn.scatter_(1, target, sign)
        return Rep(order, d, src=src, sgn=sgn)

    def matrices(self):
        """ρ(g) for every g, (|G|, d, d)."""
        if self.mats is not None:
            return self.mats
        m = torch.zeros(self.order, self.dim, self.dim, dtype=F64)
        m.scatter_(2, self.src.unsqueeze(2), self.sgn.unsqueeze(2))
        return m

    def apply(self, g, X):
        """ρ(g) applied to every row of X (..., d)."""
        if self.src is not None:
            return X[..., self.src[g]] * self.sgn[g]
        return X @ self.mats[g].T

    def apply_each(self, gs, X):
        """Row s of X (n, d) transformed by ρ(gs[s])."""
        if self.src is not None:
            return X.gather(1, self.src[gs]) * self.sgn[gs]
        return torch.einsum("sij,sj->si", self.mats[gs], X)

    def orbit(self, X):
        """(|G|, n, d): ρ(g)X for every g, in element order."""
        if self.src is not None:
            return X[:, self.src].permute(1, 0, 2) * self.sgn.unsqueeze(1)
        return torch.einsum("gij,sj->gsi", self.mats, X)

    def twirl(self, x, elements=None):
        """(1/|S|) Σ_{g ∈ S} ρ(g)x over S = elements (default all of G): Π_G x when S = G."""
        if self.src is not None:
            src, sgn = (self.src, self.sgn) if elements is None else (self.src[elements], self.sgn[elements])
            return (x[src] * sgn).mean(0)
        mats = self.mats if elements is None else self.mats[elements]
        return (mats @ x).mean(0)

    def twirl_matrix(self, elements=None):
        """The twirl as a dim×dim matrix P, P x = twirl(x): for a monomial ρ, P[j, src[g, j]] += sgn[g, j]/|S|."""
        if self.src is None:
            return (self.mats if elements is None else self.mats[elements]).mean(0)
        src, sgn = (self.src, self.sgn) if elements is None else (self.src[elements], self.sgn[elements])
        P = torch.zeros(self.dim, self.dim, dtype=F64)
        rows = torch.arange(self.dim).expand_as(src)
        return P.index_put_((rows.reshape(-1), src.reshape(-1)), sgn.reshape(-1) / src.shape[0], accumulate=True)


def direct_sum(parts):
    order = parts[0].order
    if all(p.monomial for p in parts):
        srcs, o = [], 0
        for p in parts:
            srcs.append(p.src + o)
            o += p.dim
        return Rep(order, o, src=torch.cat(srcs, 1), sgn=torch.cat([p.sgn for p in parts], 1))
    return Rep(order, sum(p.dim for p in parts), mats=torch.stack([torch.block_diag(*[p.matrices()[g] for p in parts]) for g in range(order)]))


def kron(a, b):
    """ρ_a ⊗ ρ_b on row-major dim_a × dim_b matrices: X ↦ ρ_a X ρ_bᵀ."""
    if a.monomial and b.monomial:
        nb = b.dim
        src = (a.src.unsqueeze(2) * nb + b.src.unsqueeze(1)).reshape(a.order, -1)
        sgn = (a.sgn.unsqueeze(2) * b.sgn.unsqueeze(1)).reshape(a.order, -1)
        return Rep(a.order, a.dim * nb, src=src, sgn=sgn)
    ma, mb = a.matrices(), b.matrices()
    return Rep(a.order, a.dim * b.dim, mats=torch.stack([torch.kron(ma[g], mb[g]) for g in range(a.order)]))


def trivial(order, d=1):
    return Rep.from_targets(torch.arange(d).expand(order, d).contiguous())


def rot90_targets(order, k, channels, wrong_centre=False):
    """Where pixel (c, i, j) of `channels` k×k images goes under g = a + 4f: flipped j ↦ k−1−j when f = 1, then
    rotated a times by (i, j) ↦ (k−1−j, i), both about the grid's centre ((k−1)/2, (k−1)/2). With wrong_centre (a
    planted bug) the centre is (k/2, k/2) on the torus: j ↦ (k−j) mod k and (i, j) ↦ ((k−j) mod k, i)."""
    i0 = torch.arange(k).repeat_interleave(k)
    j0 = torch.arange(k).repeat(k)
    rows = []
    for g in range(order):
        a, f = g % 4, g // 4
        i, j = i0.clone(), j0.clone()
        if f:
            j = (k - j) % k if wrong_centre else k - 1 - j
        for _ in range(a):
            i, j = ((k - j) % k if wrong_centre else k - 1 - j), i
        pix = i * k + j
        rows.append(torch.cat([c * k * k + pix for c in range(channels)]))
    return torch.stack(rows)


def rot90(G, k, channels=1, wrong_centre=False, field="rot90"):
    need(G.family in ("cyclic", "dihedral") and G.n == 4, field, "rot90 needs C4 or D4")
    return Rep.from_targets(rot90_targets(G.order, k, channels, wrong_centre))


def band_limited(G, frequencies, field):
    """⊕_k ψ_k on the rule's elements g = j + N·f = r_θ s^f, θ = 2πj/N: ψ_0 = 1, ψ_k = R(kθ)·diag(1, (−1)^f)."""
    need(G.family in ("cyclic", "dihedral"), field, "a band-limited representation needs SO2/O2 (or C_N/D_N)")
    need(isinstance(frequencies, list) and len(frequencies) > 0, f"{field}.frequencies", "give at least one frequency")
    ks = [integer(k, f"{field}.frequencies[{i}]", 0) for i, k in enumerate(frequencies)]
    mats = []
    for g in range(G.order):
        t, f = 2 * math.pi * (g % G.n) / G.n, g >= G.n
        blocks = []
        for k in ks:
            if k == 0:
                blocks.append(torch.ones(1, 1, dtype=F64))
                continue
            c, s = math.cos(k * t), math.sin(k * t)
            # r_θ s: reflect (x, y) ↦ (x, −y) first, so the second column changes sign
            blocks.append(torch.tensor([[c, s if f else -s], [s, -c if f else c]], dtype=F64))
        mats.append(torch.block_diag(*blocks))
    return Rep(G.order, mats[0].shape[0], mats=torch.stack(mats))


def build_rep(G, spec, field, bugs=frozenset()):
    """ρ for a REP of the Case (docs/protocol.md §7)."""
    need(isinstance(spec, dict), field, "expected a representation object")
    kind = spec.get("kind")
    if kind == "trivial":
        return trivial(G.order, integer(spec.get("dim", 1), f"{field}.dim", 0))
    if kind == "shift":
        need(G.family == "cyclic", field, "cyclic shifts need a cyclic group")
        d = integer(spec.get("dim"), f"{field}.dim", 1)
        s = spec["step"] if spec.get("step") is not None else d / G.n
        need(float(s).is_integer() and (G.n * int(s)) % d == 0, f"{field}.step", f"shift step {s} on R^{d} does not satisfy r^{G.n} = e",
             "not-a-representation")
        g = torch.arange(G.order).unsqueeze(1)
        return Rep.from_targets((torch.arange(d).unsqueeze(0) + g * int(s)) % d)
    if kind == "rot90":
        k = integer(spec.get("k"), f"{field}.k", 1)
        return rot90(G, k, integer(spec.get("channels", 1), f"{field}.channels", 1), "rot90-centre" in bugs, field)
    if kind == "natural":
        need(G.family == "permutation", field, "the natural representation needs a permutation group")
        return Rep.from_targets(torch.tensor(G.perms, dtype=torch.long))
    if kind == "adjacency":
        nat = build_rep(G, {"kind": "natural"}, field, bugs)
        return kron(nat, nat)
    if kind == "rotation2d":
        need(G.family == "cyclic", field, "rotation2d needs a cyclic group")
        mats = []
        for g in range(G.order):
            t = 2 * math.pi * g / G.n
            mats.append([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
        return Rep(G.order, 2, mats=torch.tensor(mats, dtype=F64))
    if kind == "band-limited":
        return band_limited(G, spec.get("frequencies"), field)
    if kind == "circle":
        return band_limited(G, list(range(integer(spec.get("K"), f"{field}.K", 0) + 1)), field)
    if kind in ("permutation", "signed"):
        perms = spec.get("perms")
        need(isinstance(perms, list) and len(perms) == G.order, f"{field}.perms", f"expected one table per element ({G.order})",
             "dimension-mismatch")
        d = len(perms[0])
        for g, p in enumerate(perms):
            need(sorted(p) == list(range(d)), f"{field}.perms[{g}]", f"not a permutation of 0..{d - 1}", "not-orthogonal")
        signs = None
        if kind == "signed":
            sg = spec.get("signs")
            need(isinstance(sg, list) and len(sg) == G.order and all(len(r) == d and all(v in (1, -1) for v in r) for r in sg),
                 f"{field}.signs", f"expected {G.order} rows of {d} signs ±1", "not-orthogonal")
            signs = torch.tensor(sg, dtype=F64)
        return Rep.from_targets(torch.tensor(perms, dtype=torch.long), signs)
    if kind == "dense":
        d = integer(spec.get("dim"), f"{field}.dim", 1)
        mats = spec.get("matrices")
        need(isinstance(mats, list) and len(mats) == G.order, f"{field}.matrices", f"expected {G.order} matrices", "dimension-mismatch")
        for g, m in enumerate(mats):
            need(len(m) == d * d, f"{field}.matrices[{g}]", f"expected {d * d} entries", "dimension-mismatch")
        return Rep(G.order, d, mats=torch.tensor(mats, dtype=F64).reshape(G.order, d, d))
    if kind == "sum":
        parts = spec.get("parts")
        need(isinstance(parts, list) and len(parts) > 0, f"{field}.parts", "expected at least one part")
        return direct_sum([build_rep(G, p, f"{field}.parts[{i}]", bugs) for i, p in enumerate(parts)])
    if kind == "tensor":
        return kron(build_rep(G, spec.get("a"), f"{field}.a", bugs), build_rep(G, spec.get("b"), f"{field}.b", bugs))
    if kind == "factor":
        need(G.family == "product", field, "a factor representation needs a product group")
        which = spec.get("which")
        need(which in (0, 1), f"{field}.which", "expected 0 or 1")
        sub = build_rep(G.factors[which], spec.get("rep"), f"{field}.rep", bugs)
        m = G.factors[1].order
        pick = torch.tensor([x // m if which == 0 else x % m for x in range(G.order)])
        if sub.monomial:
            return Rep(G.order, sub.dim, src=sub.src[pick], sgn=sub.sgn[pick])
        return Rep(G.order, sub.dim, mats=sub.mats[pick])
    raise ProtocolError("unsupported", f"{field}.kind", f"unknown representation kind {kind!r}")
