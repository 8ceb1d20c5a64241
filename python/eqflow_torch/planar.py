"""The refusal of an SO(2)/O(2) Case whose Haar rule has too few angles (docs/protocol.md §7, SO(2) and O(2)).

N equispaced angles average trigonometric polynomials of degree < N exactly (docs/theory.md §8). Π_G averages
ρ̄(g) on a layer Hom(X_i, X_{i+1}), of degree K_i + K_{i+1} (K_i the highest frequency of ρ_i); R^aug of a network
with identity/square activations and the squared loss has degree 2·max(P·K_0, K_Y), P the product of the
activations' degrees. eqflow refuses N ≤ that degree with invalid-argument at case.group.points; so does the bridge.
"""
from .errors import ProtocolError, integer, need

ACTIVATION_DEGREE = {"identity": 1, "square": 2}


def rep_degree(spec, field):
    """The highest frequency of a representation of SO(2)/O(2); refuses representations that are not band-limited."""
    kind = spec.get("kind") if isinstance(spec, dict) else None
    if kind == "trivial":
        return 0
    if kind == "band-limited":
        fs = spec.get("frequencies")
        need(isinstance(fs, list) and len(fs) > 0, f"{field}.frequencies", "give at least one frequency")
        return max(integer(k, f"{field}.frequencies[{i}]", 0) for i, k in enumerate(fs))
    if kind == "circle":
        return integer(spec.get("K"), f"{field}.K", 0)
    if kind == "sum":
        return max(rep_degree(p, f"{field}.parts[{i}]") for i, p in enumerate(spec.get("parts") or [None]))
    if kind == "tensor":
        return rep_degree(spec.get("a"), f"{field}.a") + rep_degree(spec.get("b"), f"{field}.b")
    raise ProtocolError("unsupported", field,
                        f"SO2/O2 act by band-limited representations (trivial, band-limited, circle, sum, tensor), got {kind!r}")


def augmented_risk_degree(activations, input_degree, output_degree, loss):
    """2·max(P·K_0, K_Y) for polynomial activations and the squared loss, None otherwise (R^aug is then the rule's quadrature)."""
    if loss != "squared":
        return None
    P = 1
    for a in activations:
        if a not in ACTIVATION_DEGREE:
            return None
        P *= ACTIVATION_DEGREE[a]
    return 2 * max(P * input_degree, output_degree)


def check_planar_rule(spec):
    """Raises invalid-argument at case.group.points when an SO2/O2 Case's N does not exceed the degree it needs."""
    group = spec.get("group")
    if not isinstance(group, dict) or group.get("kind") not in ("SO2", "O2"):
        return
    m = spec.get("model")
    need(isinstance(m, dict) and m.get("kind") == "mlp", "case.model", "SO2/O2 cases use dense networks (mlp)", "unsupported")
    hidden = m.get("hidden", [])
    reps = [m.get("input"), *hidden, m.get("output")]
    fields = ["case.model.input", *[f"case.model.hidden[{i}]" for i in range(len(hidden))], "case.model.output"]
    degs = [rep_degree(r, f) for r, f in zip(reps, fields)]
    degree = max(degs[i] + degs[i + 1] for i in range(len(degs) - 1))
    acts = [m.get("activation", "tanh")] * len(hidden) + [m.get("outputActivation", "identity")]
    risk = augmented_risk_degree(acts, degs[0], degs[-1], spec.get("loss", "squared"))
    N, d = integer(group.get("points"), "case.group.points", 1), max(degree, risk or 0)
    need(N > d, "case.group.points",
         f"{N} angles average exactly only up to degree {N - 1}, but this case needs degree {d}"
         f"{' (Π_G and R^aug)' if risk is not None else ' (Π_G)'}: use points ≥ {d + 1}")
