"""Cases of a group given by generators (docs/protocol.md §7, `perm-generators`; docs/theory.md §8), e.g. S_n for
n ≥ 20, never enumerated. Elements travel as permutations p of the d points (i ↦ p[i]); every representation such a
Case may use (trivial, natural, adjacency, sum, tensor) permutes coordinates, so ρ(g) is an index map and Π_G the
orbit mean. Built as the protocol says: dense networks on L = H with the unitary parametrization (Π_L = I, E_0 = H_G,
Π_E = Π_G); R^aug exact by twirled moments for one linear layer with the squared loss, refused ('unsupported', field
`mode`) for any other network, with the augmented dynamics.
"""
import torch

from .case import Case
from .errors import ProtocolError, integer, need
from .groups import inverse_permutation
from .models import DenseShape
from .reps import F64


class PermRep:
    """ρ on R^dim as an index map: ρ(g)e_i = e_{t[i]} with t = targets(p), p the permutation of g."""

    def __init__(self, dim, targets):
        self.dim, self.targets = dim, targets

    def apply(self, p, x):
        """ρ(g)x on the last axis: (ρ(g)x)_{t[i]} = x_i."""
        out = torch.empty_like(x)
        out[..., self.targets(p)] = x
        return out

    def apply_each(self, ps, X):
        """Row s of X (n, dim) transformed by ρ(ps[s])."""
        return torch.empty_like(X).scatter_(1, torch.stack([self.targets(p) for p in ps]), X)


def identity_rep(d):
    return PermRep(d, lambda p: torch.arange(d))


def kron(a, b):
    """ρ_a ⊗ ρ_b on row-major dim_a × dim_b matrices: e_{(i, j)} ↦ e_{(t_a[i], t_b[j])}."""
    nb = b.dim
    return PermRep(a.dim * nb, lambda p: (a.targets(p).unsqueeze(1) * nb + b.targets(p).unsqueeze(0)).reshape(-1))


def direct_sum(parts):
    offsets, o = [], 0
    for q in parts:
        offsets.append(o)
        o += q.dim
    return PermRep(o, lambda p: torch.cat([q.targets(p) + off for q, off in zip(parts, offsets)]))


def perm_rep(spec, d, field):
    """A REP of a permutation group on d points (docs/protocol.md §7): natural ρ(g)e_i = e_{g(i)}, adjacency = natural ⊗ natural."""
    need(isinstance(spec, dict), field, "expected a representation object")
    kind = spec.get("kind")
    if kind == "trivial":
        return identity_rep(integer(spec.get("dim", 1), f"{field}.dim", 0))
    if kind == "natural":
        return PermRep(d, lambda p: p)
    if kind == "adjacency":
        nat = perm_rep({"kind": "natural"}, d, field)
        return kron(nat, nat)
    if kind == "sum":
        parts = spec.get("parts")
        need(isinstance(parts, list) and len(parts) > 0, f"{field}.parts", "give at least one part")
        return direct_sum([perm_rep(q, d, f"{field}.parts[{i}]") for i, q in enumerate(parts)])
    if kind == "tensor":
        return kron(perm_rep(spec.get("a"), d, f"{field}.a"), perm_rep(spec.get("b"), d, f"{field}.b"))
    raise ProtocolError("unsupported", field, f"a group by generators acts by trivial, natural, adjacency, sum or tensor representations, got {kind!r}")


def permutation(p, d, field):
    """p as a LongTensor, checked to be a permutation of 0..d−1 (codes as eqflow's checkPerm)."""
    need(isinstance(p, list), field, f"the group is given by generators: expected a permutation of {d} points, got {type(p).__name__}")
    need(len(p) == d, field, f"expected a permutation of {d} points, got length {len(p)}", "dimension-mismatch")
    for i, v in enumerate(p):
        need(type(v) is int and 0 <= v < d, f"{field}[{i}]", f"closure fails: expected a point in 0..{d - 1}, got {v!r}", "not-a-group")
    need(len(set(p)) == d, field, "inverse fails: not a permutation (a point appears twice, so the map has no inverse)", "not-a-group")
    return torch.tensor(p, dtype=torch.long)


class OrbitProjector:
    """Π_G of a permutation action from its generators' moves t_s alone (docs/theory.md §8): H_G is spanned by the
    indicators of the orbits of coordinate indices, so Π_G x is the mean of x over each orbit. The orbits are the
    connected components of the graph joining i and t_s(i), what a union–find over the moves computes; here they
    are found by min-label propagation with pointer jumping, vectorized over all indices (O(dim) memory, never a
    dim×dim matrix): every label stays in its component and only decreases, and at the fixed point it is constant
    along edges and its own root, i.e. the component's least index."""

    def __init__(self, dim, moves):
        label = torch.arange(dim)
        edges = [(t, inverse_permutation(t)) for t in moves]
        while True:
            new = label
            for t, u in edges:
                new = torch.minimum(new, torch.minimum(new[t], new[u]))
            new = new[new]
            if torch.equal(new, label):
                break
            label = new
        _, self.orbit = torch.unique(label, return_inverse=True)
        self.size = torch.bincount(self.orbit).to(F64)
        self.rank = self.size.numel()  # dim H_G

    def apply(self, x):
        """Π_G x on the last axis of x."""
        sums = torch.zeros(x.shape[:-1] + (self.rank,), dtype=x.dtype).index_add_(x.dim() - 1, self.orbit, x)
        return (sums / self.size)[..., self.orbit]


class PermCase(Case):
    """A Case of a group given by generators (built by Case(spec) for `perm-generators`); the dynamics, flows and
    sampled steps are Case's, on these projectors and risks."""

    def __init__(self, spec, bugs=frozenset(), with_data=True):
        self.bugs = bugs
        gens = spec["group"].get("generators")
        need(isinstance(gens, list) and len(gens) > 0 and isinstance(gens[0], list) and len(gens[0]) > 0, "case.group.generators",
             "give at least one permutation of at least one point")
        self.degree = d = len(gens[0])
        self.generators = [permutation(p, d, f"case.group.generators[{i}]") for i, p in enumerate(gens)]
        m = spec.get("model")
        need(isinstance(m, dict) and m.get("kind") == "mlp", "case.model.kind", "groups by generators act on dense networks (mlp)", "unsupported")
        adm = spec.get("admissible", {"kind": "full"})
        need(isinstance(adm, dict) and adm.get("kind") == "full", "case.admissible.kind", "groups by generators are built with L = H only", "unsupported")
        par = spec.get("parametrization", {"kind": "unitary"})
        need(isinstance(par, dict) and par.get("kind", "unitary") == "unitary", "case.parametrization.kind",
             "groups by generators are built with the unitary parametrization only", "unsupported")
        hidden = m.get("hidden", [])
        need(isinstance(hidden, list), "case.model.hidden", "expected an array of representations")
        reps = [perm_rep(m.get("input"), d, "case.model.input"), *[perm_rep(h, d, f"case.model.hidden[{i}]") for i, h in enumerate(hidden)],
                perm_rep(m.get("output"), d, "case.model.output")]
        self.model = DenseShape([r.dim for r in reps], m)
        self.dim = self.model.dim
        self.input_rep, self.output_rep = reps[0], reps[-1]
        # ρ̄ = ⊕_i ρ_{i+1} ⊗ ρ̃_i with ρ̃_i = ρ_i ⊕ 1 under a bias (docs/protocol.md §7, Parameter layout)
        self.tilde = [direct_sum([r, identity_rep(1)]) if self.model.bias else r for r in reps[:-1]]
        self.action = direct_sum([kron(reps[i + 1], t) for i, t in enumerate(self.tilde)])
        # the planted bug 'orbits-missing-generator': the orbits of all generators but the last
        kept = self.generators[:-1] if "orbits-missing-generator" in bugs else self.generators
        moves = [self.action.targets(s) for s in kept]
        self.projector = OrbitProjector(self.dim, moves)
        # one linear layer with identity output: R^aug has the exact finite form of twirled moments (below)
        self.linear = len(reps) == 2 and m.get("outputActivation", "identity") == "identity"
        self.L_mask = self.L_basis = self.E_basis = self.M = None
        self.offset = torch.zeros(self.dim, dtype=F64)
        self.moments = None
        self._loss(spec)
        if with_data:
            self._explicit_data(spec.get("data", {}))

    @property
    def batch_rows(self):
        return self.count

    def element(self, g, field):
        """A group element as the protocol sends it for this group: a permutation of the d points."""
        return permutation(g, self.degree, field)

    def act(self, g, A):
        return self.action.apply(g, A)

    def pi_G(self, A):
        return self.projector.apply(A)

    def pi_E(self, A):
        return self.projector.apply(A)

    def sampled_batch(self, elements):
        X = self.input_rep.apply_each(elements, self.X)
        Y = self.Y if "augment-skips-y" in self.bugs else self.output_rep.apply_each(elements, self.Y)
        return X, Y

    def objective(self, mode):
        return super().objective(mode) if mode == "nominal" else self.augmented()

    def field(self, kind, gamma):
        if kind in ("augmented", "reg-augmented"):
            self.augmented()  # refused first, as eqflow's reference: no exact R^aug
        return super().field(kind, gamma)

    def augmented(self):
        """R^aug by twirled moments (docs/theory.md §8). For one linear layer W̃ = [W b] and the squared loss,
        R(W̃) = ½tr(W̃ C_xx W̃ᵀ) − ⟨W̃, C_yx⟩ + c with C_xx = E_D x̃x̃ᵀ, C_yx = E_D y x̃ᵀ, c = E_D ½‖y‖² (x̃ = [x; 1]
        under a bias). The data-side average E_g R_{gD} moves ρ̃_0(g) and ρ_Y(g) onto the moments, and since
        ρ̄(g)W̃ = ρ_Y(g)W̃ρ̃_0(g)ᵀ with orthogonal ρ's, E_g ρ̃_0(g)C_xxρ̃_0(g)ᵀ = T is Π_G on Hom(X̃_0, X̃_0) and
        E_g ρ_Y(g)C_yxρ̃_0(g)ᵀ is Π_G on H itself: R^aug(W̃) = ½tr(W̃TW̃ᵀ) − ⟨W̃, Π_G C_yx⟩ + c, both twirls orbit
        means. Its gradient comes from autograd."""
        need(self.linear and self.loss_kind == "squared", "mode",
             "R^aug over a group given by generators is exact only for one linear layer with the squared loss (twirled moments); "
             "this network has only sampled averages", "unsupported")
        if self.moments is None:
            n, tilde = self.count, self.tilde[0]
            Xt = torch.cat([self.X, torch.ones(n, 1, dtype=F64)], 1) if self.model.bias else self.X
            k, q = Xt.shape[1], self.Y.shape[1]
            hom = kron(tilde, tilde)
            T = OrbitProjector(hom.dim, [hom.targets(s) for s in self.generators]).apply((Xt.T @ Xt / n).reshape(-1)).reshape(k, k)
            P = self.pi_G((self.Y.T @ Xt / n).reshape(-1)).reshape(q, k)
            self.moments = (T, P, 0.5 * float((self.Y * self.Y).sum()) / n, q, k)
        T, P, c, q, k = self.moments

        def raug(a):
            W = a.unflatten(-1, (q, k))
            return 0.5 * ((W @ T) * W).sum((-2, -1)) - (W * P).sum((-2, -1)) + c
        return raug
