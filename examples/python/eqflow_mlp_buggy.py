#!/usr/bin/env python3
"""eqflow_mlp.py with ONE planted bug, for eqflow's negative control on external implementations.

The bug: the induced action on layer i is W -> rho_{i+1}(g) W rho_i(g) instead of rho_{i+1}(g) W rho_i(g)^{-1}
(rho_i(g) used where its inverse belongs). It is invisible for groups whose elements are involutions on the
feature spaces (C2), and for abelian groups the wrong map is still a representation, so the 'action' claim alone
misses it there; Lemma 1(a)/2(a) (data-side vs parameter-side augmentation) catches it on C3/C4 shifts, and the
'action' claim on dihedral and symmetric groups. Everything else is the code of eqflow_mlp.py.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the examples
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eqflow_mlp import main  # noqa: E402  (the path above makes the sibling module importable)

if __name__ == "__main__":
    main(buggy=True)
