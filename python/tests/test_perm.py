"""Unit tests of groups given by generators (perm-generators): on S_4, small enough to enumerate, the never-enumerating
PermCase must agree with the enumerated Case of the same group (run: PYTHONPATH=python python3 -m unittest discover -s python/tests)."""
import unittest

import torch

from eqflow_torch import Case
from eqflow_torch.errors import ProtocolError
from eqflow_torch.perm import PermCase

F64 = torch.float64
# every compared quantity is a sum of at most a few hundred products of O(1) entries: 1e-12 relative is ~50 ulps of slack
TOL = 1e-12
S4 = [[1, 0, 2, 3], [1, 2, 3, 0]]  # (0 1) and the 4-cycle: eqflow's generators of S_4, in the same order

MODELS = {
    "linear sets, bias": {"kind": "mlp", "input": {"kind": "natural"}, "hidden": [], "output": {"kind": "natural"}, "bias": True},
    "linear graphs": {"kind": "mlp", "input": {"kind": "adjacency"}, "hidden": [], "output": {"kind": "tensor", "a": {"kind": "natural"}, "b": {"kind": "trivial", "dim": 2}}},
    "tanh sum": {"kind": "mlp", "input": {"kind": "natural"}, "hidden": [{"kind": "sum", "parts": [{"kind": "natural"}, {"kind": "trivial"}]}],
                 "output": {"kind": "trivial"}, "activation": "tanh", "bias": True},
}


def cases(model, bugs=frozenset()):
    """(PermCase, enumerated Case) of S_4 on the same model and seeded explicit data."""
    widths = Case({"group": {"kind": "perm-generators", "generators": S4}, "model": model}, with_data=False).model.widths
    gen = torch.Generator().manual_seed(4)
    data = {"kind": "explicit", "x": torch.randn(5, widths[0], generator=gen, dtype=F64).tolist(), "y": torch.randn(5, widths[-1], generator=gen, dtype=F64).tolist()}
    perm = Case({"group": {"kind": "perm-generators", "generators": S4}, "model": model, "data": data}, bugs)
    enum = Case({"group": {"kind": "symmetric", "n": 4}, "model": model, "data": data})
    return perm, enum


def close(a, b):
    return float((a - b).abs().max()) <= TOL * max(1.0, float(b.abs().max()))


class PermGenerators(unittest.TestCase):
    def test_case_dispatch(self):
        self.assertIsInstance(cases(MODELS["linear sets, bias"])[0], PermCase)

    def test_action_projectors_and_risk_agree_with_the_enumerated_group(self):
        for name, model in MODELS.items():
            with self.subTest(model=name):
                perm, enum = cases(model)
                self.assertEqual(perm.dim, enum.dim)
                A = torch.randn(perm.dim, generator=torch.Generator().manual_seed(7), dtype=F64)
                for g, p in enumerate(enum.G.perms):  # the enumerated group's element g is the permutation p
                    self.assertTrue(torch.equal(perm.act(perm.element(list(p), "g"), A), enum.act(g, A)))
                for which in ("pi_G", "pi_E", "pi_L"):
                    self.assertTrue(close(getattr(perm, which)(A), getattr(enum, which)(A)), which)
                for a, b in zip(perm.risk("nominal", A), enum.risk("nominal", A)):
                    self.assertTrue(close(torch.as_tensor(a), torch.as_tensor(b)))

    def test_twirled_moments_equal_the_enumerated_augmented_risk(self):
        # R^aug by twirled moments (no enumeration) against the mean over all 24 transformed data sets
        for name in ("linear sets, bias", "linear graphs"):
            with self.subTest(model=name):
                perm, enum = cases(MODELS[name])
                A = torch.randn(perm.dim, generator=torch.Generator().manual_seed(8), dtype=F64)
                (v, g), (w, h) = perm.risk("augmented", A), enum.risk("augmented", A)
                self.assertTrue(close(torch.tensor(v), torch.tensor(w)) and close(g, h))

    def test_nonlinear_augmented_risk_refused_at_mode(self):
        perm, _ = cases(MODELS["tanh sum"])
        with self.assertRaises(ProtocolError) as e:
            perm.risk("augmented", torch.zeros(perm.dim, dtype=F64))
        self.assertEqual((e.exception.code, e.exception.field), ("unsupported", "mode"))

    def test_missing_generator_bug_projects_onto_a_larger_space(self):
        # the planted bug keeps (0 1) only: more orbits than S_4 has, so Π_G A is not fixed by the 4-cycle
        perm, _ = cases(MODELS["linear sets, bias"], frozenset({"orbits-missing-generator"}))
        good, _ = cases(MODELS["linear sets, bias"])
        self.assertGreater(perm.projector.rank, good.projector.rank)
        A = perm.pi_G(torch.randn(perm.dim, generator=torch.Generator().manual_seed(9), dtype=F64))
        self.assertFalse(close(perm.act(perm.element(S4[1], "g"), A), A))

    def test_elements_must_be_permutations_of_the_points(self):
        perm, _ = cases(MODELS["linear sets, bias"])
        for g, code in ((3, "invalid-argument"), ([0, 1], "dimension-mismatch"), ([0, 0, 1, 2], "not-a-group"), ([0, 1, 2, 4], "not-a-group")):
            with self.assertRaises(ProtocolError) as e:
                perm.element(g, "g")
            self.assertEqual(e.exception.code, code)


if __name__ == "__main__":
    unittest.main()
