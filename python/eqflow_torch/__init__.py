"""eqflow_torch: eqflow's Cases in PyTorch (float64, autograd), the eqflow/1 server and a training-run recorder."""
from .case import Case
from .layout import flat_parameters, layer_modules
from .recorder import Recorder

__all__ = ["Case", "Recorder", "flat_parameters", "layer_modules"]
