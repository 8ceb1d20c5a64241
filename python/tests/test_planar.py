"""Unit tests of the SO(2)/O(2) rule groups and band-limited representations (run: PYTHONPATH=python python3 -m unittest discover -s python/tests)."""
import unittest

import torch

from eqflow_torch.errors import ProtocolError
from eqflow_torch.groups import build_group
from eqflow_torch.planar import check_planar_rule
from eqflow_torch.reps import build_rep

EPS = torch.finfo(torch.float64).eps


class BandLimited(unittest.TestCase):
    def test_homomorphism_and_orthogonality(self):
        # ρ(a)ρ(b) = ρ(ab) and ρ(g)ᵀρ(g) = I up to a few ulps of entries of size ≤ 1 (d ≤ 7 terms per product)
        for kind in ("SO2", "O2"):
            G = build_group({"kind": kind, "points": 5})
            m = build_rep(G, {"kind": "sum", "parts": [{"kind": "circle", "K": 2}, {"kind": "band-limited", "frequencies": [3]}]}, "rep").matrices()
            for a in range(G.order):
                self.assertLess(float((m[a].T @ m[a] - torch.eye(m.shape[1], dtype=torch.float64)).abs().max()), 16 * EPS)
                for b in range(G.order):
                    self.assertLess(float((m[a] @ m[b] - m[G.mul(a, b)]).abs().max()), 16 * EPS)

    def test_reflection_is_diag_one_minus_one(self):
        G = build_group({"kind": "O2", "points": 4})
        m = build_rep(G, {"kind": "band-limited", "frequencies": [2]}, "rep").matrices()
        self.assertTrue(torch.equal(m[4], torch.tensor([[1.0, 0.0], [0.0, -1.0]], dtype=torch.float64)))

    def test_too_few_angles_refused_at_points(self):
        # a linear layer ψ_1 → ψ_1 has degree 2: 3 angles are exact, 2 are not
        case = {"group": {"kind": "SO2", "points": 2}, "loss": "squared",
                "model": {"kind": "mlp", "input": {"kind": "circle", "K": 1}, "hidden": [], "output": {"kind": "band-limited", "frequencies": [1]},
                          "outputActivation": "identity"}}
        with self.assertRaises(ProtocolError) as e:
            check_planar_rule(case)
        self.assertEqual((e.exception.code, e.exception.field), ("invalid-argument", "case.group.points"))
        check_planar_rule({**case, "group": {"kind": "SO2", "points": 3}})


if __name__ == "__main__":
    unittest.main()
