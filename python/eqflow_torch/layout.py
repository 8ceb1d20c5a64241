"""eqflow's flat parameter layout (docs/protocol.md §7) for torch.nn modules.

Segment i of a dense network is the n_{i+1} × (n_i + b) matrix [W_i | b_i] of an nn.Linear (bias as the last
column); a CNN's conv{i} is an nn.Conv2d weight [c_out, c_in, 3, 3] (no bias) and `linear` an nn.Linear weight
[outputs, C·k'²] (no bias) over channel-major features (nn.Flatten of NCHW). Layers are the module's nn.Linear and
nn.Conv2d submodules in registration order, or an explicit list.
"""
import torch
from torch import nn

from .errors import ProtocolError


def layer_modules(module):
    """The nn.Linear and nn.Conv2d submodules of `module`, in registration order."""
    return [m for m in module.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


def _layers(case, layers):
    mods = layer_modules(layers) if isinstance(layers, nn.Module) else list(layers)
    segs = case.model.segments
    if len(mods) != len(segs):
        raise ProtocolError("dimension-mismatch", "layers", f"the Case has {len(segs)} layers ({', '.join(n for n, _, _ in segs)}), the module has {len(mods)}")
    out = []
    for (name, _, shape), m in zip(segs, mods):
        w, b = (m.weight, m.bias) if isinstance(m, nn.Module) else (m[0], m[1] if len(m) > 1 else None)
        with_bias = case.model.kind == "mlp" and case.model.bias
        wshape = (shape[0], shape[1] - 1) if with_bias else tuple(shape)
        if tuple(w.shape) != wshape:
            raise ProtocolError("dimension-mismatch", name, f"segment {name} needs a weight of shape {wshape}, got {tuple(w.shape)}")
        if with_bias != (b is not None):
            raise ProtocolError("dimension-mismatch", name, f"segment {name} {'needs' if with_bias else 'has no'} bias, the layer {'has none' if b is None else 'has one'}")
        out.append((name, w, b))
    return out


def flat_parameters(case, layers):
    """A ∈ H as one 1-D tensor in eqflow's layout, differentiable with respect to the layers' parameters.

    `case` is an eqflow_torch.Case (or a Case dict), `layers` an nn.Module or a list of layer modules or (weight, bias) pairs."""
    from .case import Case
    case = case if isinstance(case, Case) else Case(case, with_data=False)
    parts = []
    for _, w, b in _layers(case, layers):
        parts.append((torch.cat([w, b.unsqueeze(1)], 1) if b is not None else w).reshape(-1))
    return torch.cat(parts)


def load_flat(case, layers, A):
    """Writes A (eqflow's layout) into the layers' parameters, in place (the inverse of flat_parameters)."""
    from .case import Case
    case = case if isinstance(case, Case) else Case(case, with_data=False)
    A = torch.as_tensor(A)
    with torch.no_grad():
        for (name, o, shape), (_, w, b) in zip(case.model.segments, _layers(case, layers)):
            seg = A[o:o + int(torch.tensor(shape).prod())].view(shape).to(w.dtype)
            if b is not None:
                w.copy_(seg[:, :-1])
                b.copy_(seg[:, -1])
            else:
                w.copy_(seg)
