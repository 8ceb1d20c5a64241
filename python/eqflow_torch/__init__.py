"""eqflow_torch: eqflow's Cases in PyTorch (float64, autograd), the eqflow/1 server and a training-run recorder.

The names below are imported lazily (PEP 562): `python -m eqflow_torch` answers eqflow's handshake before torch loads."""

__all__ = ["Case", "Recorder", "flat_parameters", "layer_modules"]
_HOME = {"Case": ".case", "Recorder": ".recorder", "flat_parameters": ".layout", "layer_modules": ".layout"}


def __getattr__(name):
    if name in _HOME:
        import importlib
        return getattr(importlib.import_module(_HOME[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
