"""Unit tests of eqflow_torch's layout mapping and Recorder (run: PYTHONPATH=python python3 -m unittest discover -s python/tests)."""
import json
import os
import tempfile
import unittest

import torch
from torch import nn

from eqflow_torch import Case, Recorder, flat_parameters
from eqflow_torch.errors import ProtocolError
from eqflow_torch.layout import load_flat

torch.set_default_dtype(torch.float64)

MLP = {"name": "mlp", "group": {"kind": "cyclic", "n": 4},
       "model": {"kind": "mlp", "input": {"kind": "shift", "dim": 8, "step": 2}, "hidden": [{"kind": "shift", "dim": 8, "step": 2}],
                 "output": {"kind": "trivial", "dim": 3}, "activation": "tanh", "outputActivation": "identity", "bias": True},
       "data": {"kind": "explicit", "x": [[0.1 * i for i in range(8)]], "y": [[1.0, 0.0, -1.0]]}}
CNN = {"name": "cnn", "group": {"kind": "cyclic", "n": 4},
       "model": {"kind": "cnn", "imageSize": 4, "inChannels": 1, "outputs": 3,
                 "blocks": [{"outChannels": 2, "pool": True, "layerNorm": True, "activation": "tanh"}]},
       "data": {"kind": "explicit", "x": [[0.0] * 16], "y": [[0.0] * 3]}}


def mlp_module():
    return nn.Sequential(nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3))


def cnn_module():
    return nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, bias=False), nn.AvgPool2d(2), nn.Tanh(),
                         nn.LayerNorm((2, 2), elementwise_affine=False), nn.Flatten(), nn.Linear(8, 3, bias=False))


class Layout(unittest.TestCase):
    def test_dense_layout_is_row_major_with_the_bias_as_last_column(self):
        m = mlp_module()
        A = flat_parameters(MLP, m)
        self.assertEqual(A.numel(), Case(MLP).dim)
        W0, b0 = m[0].weight, m[0].bias
        self.assertEqual(float(A[0]), float(W0[0, 0]))
        self.assertEqual(float(A[8]), float(b0[0]))  # row 0 = [W0[0, :] | b0[0]]
        self.assertEqual(float(A[9]), float(W0[1, 0]))
        self.assertEqual(float(A[72]), float(m[2].weight[0, 0]))  # segment A1 starts after 8 × 9 entries

    def test_the_module_and_the_case_compute_the_same_network(self):
        for spec, module, shape in ((MLP, mlp_module(), (5, 8)), (CNN, cnn_module(), (5, 16))):
            c = Case(spec)
            X = torch.randn(*shape)
            A = flat_parameters(c, module).detach()
            inp = X if spec is MLP else X.view(-1, 1, 4, 4)
            torch.testing.assert_close(module(inp), c.model.forward(A, X), rtol=1e-13, atol=1e-13)

    def test_lemma_0_through_the_module_the_action_matches_the_layout(self):
        """Φ_{ρ̄(g)A}(ρ_0(g)x) = ρ_L(g)Φ_A(x): the action on eqflow's layout is the action on the module's layers."""
        for spec, module, shape in ((MLP, mlp_module(), (5, 8)), (CNN, cnn_module(), (5, 16))):
            c = Case(spec)
            X = torch.randn(*shape)
            A = flat_parameters(c, module).detach()
            for g in range(4):
                moved = mlp_module() if spec is MLP else cnn_module()
                load_flat(c, moved, c.act(g, A))
                gx = c.model.input_rep.apply(g, X)
                out = moved(gx if spec is MLP else gx.view(-1, 1, 4, 4))
                torch.testing.assert_close(out, c.model.output_rep.apply(g, module(X if spec is MLP else X.view(-1, 1, 4, 4))), rtol=1e-12, atol=1e-12)

    def test_load_flat_inverts_flat_parameters(self):
        c = Case(CNN)
        m = cnn_module()
        A = torch.randn(c.dim)
        load_flat(c, m, A)
        self.assertTrue(torch.equal(flat_parameters(c, m).detach(), A))

    def test_gradients_flow_through_the_flat_vector(self):
        c, m = Case(MLP), mlp_module()
        A = flat_parameters(c, m)
        (A - c.pi_E(A)).pow(2).sum().mul(0.5).backward()
        grad = flat_parameters(c, [(l.weight.grad, l.bias.grad) for l in (m[0], m[2])])
        torch.testing.assert_close(grad, c.perp(A.detach()), rtol=1e-13, atol=1e-13)  # ∇ ½‖Π_{E⊥}A‖² = Π_{E⊥}A

    def test_mismatches_name_the_segment(self):
        with self.assertRaises(ProtocolError) as e:
            flat_parameters(MLP, nn.Sequential(nn.Linear(8, 7), nn.Linear(7, 3)))
        self.assertEqual(e.exception.field, "A0")
        with self.assertRaises(ProtocolError) as e:
            flat_parameters(MLP, nn.Sequential(nn.Linear(8, 8, bias=False), nn.Linear(8, 3)))
        self.assertIn("bias", e.exception.message)
        with self.assertRaises(ProtocolError) as e:
            flat_parameters(CNN, nn.Sequential(nn.Linear(8, 3)))
        self.assertEqual(e.exception.code, "dimension-mismatch")


class Recording(unittest.TestCase):
    def test_snapshots_every_few_steps_and_at_the_end_times_dtype_and_an_atomic_file(self):
        m = mlp_module()
        opt = torch.optim.SGD(m.parameters(), lr=0.1)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "trace.json")
            rec = Recorder(MLP, m, path, lr=0.1, gamma=2.0, every=3)
            for _ in range(7):
                m(torch.randn(4, 8)).pow(2).sum().backward()
                opt.step()
                opt.zero_grad()
                rec.step()
            rec.save()
            self.assertEqual(os.listdir(d), ["trace.json"])  # no temporary file left behind
            with open(path) as f:
                t = json.load(f)
        self.assertEqual([s["t"] for s in t["snapshots"]], [0.0, 0.30000000000000004, 0.6000000000000001, 0.7000000000000001])
        self.assertEqual(t["dtype"], "float64")
        self.assertEqual(t["precision"], "float64")
        self.assertNotIn("optimizer", t)
        self.assertEqual(t["dynamics"], "reg-augmented")
        self.assertEqual(t["gamma"], 2.0)
        self.assertEqual(len(t["snapshots"][-1]["A"]), Case(MLP).dim)
        self.assertEqual(t["snapshots"][-1]["A"], flat_parameters(MLP, m).tolist())
        self.assertEqual(t["case"], MLP)

    def test_float32_runs_are_recorded_as_float32(self):
        m = mlp_module().float()
        rec = Recorder(MLP, m, "unused.json", lr=0.1)
        self.assertEqual(rec.trace()["dtype"], "float32")
        self.assertEqual(rec.trace()["precision"], "float32")  # the field check-trace reads for its tolerance
        self.assertEqual(rec.trace()["dynamics"], "augmented")

    def test_an_sgd_run_declares_its_optimizer_and_records_step_counts(self):
        m = mlp_module()
        opt = {"kind": "sgd", "lr": 1e-3, "batch": 10, "augmentation": "sampled", "lossScale": 10}
        rec = Recorder(MLP, m, "unused.json", gamma=1.0, every=4, optimizer=opt)
        for _ in range(6):
            rec.step()
        rec.snapshot()
        t = rec.trace()
        self.assertEqual(t["optimizer"], {"kind": "sgd", "lr": 1e-3, "batch": 10, "augmentation": "sampled", "lossScale": 10.0})
        self.assertEqual([s["step"] for s in t["snapshots"]], [0, 4, 6])
        self.assertNotIn("t", t["snapshots"][0])
        self.assertEqual((t["gamma"], t["dynamics"], t["precision"], t["dt"]), (1.0, "reg-augmented", "float64", 1e-4))
        plain = Recorder(MLP, m, "unused.json", lr=0.5, gamma=2.0, optimizer={"batch": 4, "augmentation": "none"}).trace()
        self.assertEqual(plain["optimizer"], {"kind": "sgd", "lr": 0.5, "batch": 4, "augmentation": "none", "lossScale": 1.0})
        self.assertEqual(plain["dynamics"], "reg-nominal")

    def test_bad_arguments_are_refused(self):
        with self.assertRaises(ProtocolError):
            Recorder(MLP, mlp_module(), "x.json")  # no lr
        with self.assertRaises(ProtocolError):
            Recorder(MLP, mlp_module(), "x.json", lr=0.1, dynamics="sideways")
        with self.assertRaises(ProtocolError):
            Recorder(MLP, mlp_module(), "x.json", lr=0.1, every=0)
        for bad, field in (({"lr": 0.1, "batch": 0, "augmentation": "sampled"}, "optimizer.batch"),
                           ({"lr": 0.1, "batch": 2, "augmentation": "rotated"}, "optimizer.augmentation"),
                           ({"lr": -1, "batch": 2, "augmentation": "exact"}, "optimizer.lr"),
                           ({"kind": "adam", "lr": 0.1, "batch": 2, "augmentation": "exact"}, "optimizer.kind"),
                           ({"lr": 0.1, "batch": 2, "augmentation": "exact", "momentum": 0.9}, "optimizer.momentum")):
            with self.assertRaises(ProtocolError) as e:
                Recorder(MLP, mlp_module(), "x.json", optimizer=bad)
            self.assertEqual(e.exception.field, field)


if __name__ == "__main__":
    unittest.main()
