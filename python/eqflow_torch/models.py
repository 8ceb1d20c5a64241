"""The networks Φ_A of a Case (docs/protocol.md §6–7) in torch float64, evaluated from the flat parameter vector A.

Dense networks: x_{i+1} = σ_i(A_i [x_i; 1 if bias]), A_i an n_{i+1} × (n_i + b) block of A (row-major, segments in
layer order), with the induced action ρ̄ = ⊕_i ρ_{i+1} ⊗ (ρ_i ⊕ 1) (docs/theory.md §1).
CNNs (docs/theory.md §6–7): blocks conv3×3 (zero padding 1, no bias) → [avgpool 2×2] → σ → [LayerNorm over the
spatial axes, no affine], then a linear read-out of the channel-major features; segment conv{i} holds the kernel
K_i ∈ R^{c_out×c_in×3×3}, segment `linear` the matrix W ∈ R^{outputs × C·k'²}. rot90 commutes with a 3×3
cross-correlation when the kernel is rotated with the image (about the pixel grid's centre), so the action on a
conv segment is rot90 of every 3×3 kernel, and on the read-out W ↦ Wρ(g)ᵀ (outputs invariant).
"""
import math

import torch
import torch.nn.functional as Fn

from .errors import ProtocolError, integer, need
from .reps import F64, build_rep, direct_sum, kron, rot90, trivial

LAYER_NORM_EPS = 1e-5  # torch.nn.LayerNorm's default, as eqflow's CNN


def activation(name, n, field):
    """σ by name, pointwise on the last axis of length n (docs/protocol.md §6, Model mlp)."""
    if name == "tanh":
        return torch.tanh
    if name == "identity":
        return lambda z: z
    if name == "square":
        return lambda z: z * z
    if name == "sigmoid":
        return torch.sigmoid
    if name == "softplus":
        # log(1 + e^z) exactly (torch's softplus returns z itself above its threshold 20: 2e-9 off)
        return lambda z: torch.clamp(z, min=0) + torch.log1p(torch.exp(-torch.abs(z)))
    if name == "leaky-relu(0.1)":
        return lambda z: torch.where(z > 0, z, 0.1 * z)
    if name == "biased-tanh":
        # the negative control of assumption A2: tanh(z_k + c_k), c_k = ½ sin(1.7k + 0.3), not equivariant
        c = torch.tensor([0.5 * math.sin(1.7 * k + 0.3) for k in range(n)], dtype=F64)
        return lambda z: torch.tanh(z + c)
    raise ProtocolError("unsupported", field, f"unknown activation {name!r}")


class DenseShape:
    """A dense network of the given feature widths n_0 .. n_L (the layout and Φ_A; the group acts elsewhere)."""

    kind = "mlp"

    def __init__(self, widths, spec):
        self.bias = bool(spec.get("bias", False))
        L = len(widths) - 1
        self.widths = list(widths)
        self.sigmas = [activation(spec.get("activation", "tanh") if i < L - 1 else spec.get("outputActivation", "identity"),
                                  self.widths[i + 1], f"case.model.{'activation' if i < L - 1 else 'outputActivation'}")
                       for i in range(L)]
        b = 1 if self.bias else 0
        self.segments = []
        o = 0
        for i in range(L):
            shape = (self.widths[i + 1], self.widths[i] + b)
            self.segments.append((f"A{i}", o, shape))
            o += shape[0] * shape[1]
        self.dim = o

    def forward(self, A, X):
        """Φ_A(x) for every row x of X (n, n_0); A of shape (dim,), or (B, dim) for B networks at once → (B, n, n_L)."""
        h = X
        for (_, o, (r, c)), sigma in zip(self.segments, self.sigmas):
            W = A[..., o:o + r * c].unflatten(-1, (r, c))
            # (B, n, c_in) or (n, c_in) times Wᵀ (B, c_in, r): broadcasts over the B networks
            h = sigma(h @ W[..., :-1].transpose(-1, -2) + W[..., -1].unsqueeze(-2) if self.bias else h @ W.transpose(-1, -2))
        return h


class DenseNet(DenseShape):
    """A dense network on the representations ρ_0 .. ρ_L of an enumerated group."""

    def __init__(self, G, spec, bugs=frozenset()):
        reps = [build_rep(G, spec.get("input"), "case.model.input", bugs)]
        reps += [build_rep(G, h, f"case.model.hidden[{i}]", bugs) for i, h in enumerate(spec.get("hidden", []))]
        reps.append(build_rep(G, spec.get("output"), "case.model.output", bugs))
        super().__init__([r.dim for r in reps], spec)
        ins = [direct_sum([r, trivial(G.order, 1)]) if self.bias else r for r in reps[:-1]]
        self.action = direct_sum([kron(reps[i + 1], ins[i]) for i in range(len(reps) - 1)])
        self.input_rep, self.output_rep = reps[0], reps[-1]


class ConvNet:
    """The kernel-parametrized CNN of docs/theory.md §6 (toy) and §7 (paper)."""

    kind = "cnn"

    def __init__(self, G, spec, bugs=frozenset()):
        need(G.family in ("cyclic", "dihedral") and G.n == 4, "case.group", "the CNN needs C4 or D4 acting by rot90", "unsupported")
        self.k = k = integer(spec.get("imageSize"), "case.model.imageSize", 1)
        self.c_in = c = integer(spec.get("inChannels"), "case.model.inChannels", 1)
        self.outputs = integer(spec.get("outputs"), "case.model.outputs", 1)
        wrong = "rot90-centre" in bugs
        self.blocks, self.segments, reps = [], [], []
        o = 0
        for i, b in enumerate(spec.get("blocks", [])):
            field = f"case.model.blocks[{i}]"
            co = integer(b.get("outChannels"), f"{field}.outChannels", 1)
            pool, norm = bool(b.get("pool")), bool(b.get("layerNorm"))
            need(not pool or k % 2 == 0, f"{field}.pool", f"2×2 average pooling needs an even image size, block {i} sees {k}×{k}")
            act = b.get("activation")
            need(act != "biased-tanh", f"{field}.activation", "biased-tanh is for dense networks only", "unsupported")
            kout = k // 2 if pool else k
            self.blocks.append((co, pool, activation(act, co * kout * kout, f"{field}.activation"), norm, kout))
            self.segments.append((f"conv{i}", o, (co, c, 3, 3)))
            reps.append(rot90(G, 3, co * c, wrong))
            o += co * c * 9
            k, c = kout, co
        self.features = c * k * k
        self.segments.append(("linear", o, (self.outputs, self.features)))
        reps.append(kron(trivial(G.order, self.outputs), rot90(G, k, c, wrong)))
        self.dim = o + self.outputs * self.features
        self.action = direct_sum(reps)
        self.input_rep = rot90(G, self.k, self.c_in, wrong)
        self.output_rep = trivial(G.order, self.outputs)
        self.widths = [self.c_in * self.k * self.k, self.outputs]

    def forward(self, A, X):
        """Φ_A(x) for every row of X (n, c_in·k²); A of shape (dim,), or (B, dim) → (B, n, outputs). The B networks
        run side by side as B groups of channels (grouped convolutions)."""
        As = A.unsqueeze(0) if A.dim() == 1 else A
        B = As.shape[0]
        h = X.view(-1, self.c_in, self.k, self.k)
        for i, ((co, pool, sigma, norm, kout), (_, o, shape)) in enumerate(zip(self.blocks, self.segments)):
            w = As[:, o:o + co * shape[1] * 9].reshape(B * co, shape[1], 3, 3)
            h = Fn.conv2d(h, w, padding=1, groups=1 if i == 0 else B)
            if pool:
                h = Fn.avg_pool2d(h, 2)
            h = sigma(h)
            if norm:
                h = Fn.layer_norm(h, (kout, kout), eps=LAYER_NORM_EPS)
        _, o, (r, c) = self.segments[-1]
        feats = h.reshape(h.shape[0], B, -1) if self.blocks else h.reshape(h.shape[0], 1, -1).expand(-1, B, -1)
        out = torch.einsum("nbf,bof->bno", feats, As[:, o:o + r * c].reshape(B, r, c))
        return out[0] if A.dim() == 1 else out


def build_model(G, spec, bugs=frozenset()):
    need(isinstance(spec, dict), "case.model", "expected a model object")
    kind = spec.get("kind")
    if kind == "mlp":
        return DenseNet(G, spec, bugs)
    if kind == "cnn":
        return ConvNet(G, spec, bugs)
    raise ProtocolError("unsupported", "case.model.kind", f"unknown model kind {kind!r}")
