"""Planted bugs (`python -m eqflow_torch --bug NAME`): each is a defect people make in equivariant training code,
and each must be rejected by some theorem claim of `eqflow verify` (test/torch.test.ts shows which)."""

BUGS = {
    "rot90-centre": "rot90 (and the D4 flip) about the centre (k/2, k/2) of the pixel grid, wrapping around, instead of "
                    "((k−1)/2, (k−1)/2): still a representation, but a 3×3 convolution no longer commutes with it",
    "twirl-subgroup": "Π_G averages over the largest proper cyclic subgroup of G instead of all of G",
    "augment-skips-y": "augmentation transforms the inputs x by ρ_0(g) but leaves the targets y untransformed",
    "regularizer-g-perp": "the regularizer of the exact-average dynamics (step, flow) pulls along Π_{G⊥}A = A − Π_G A "
                          "instead of Π_{E⊥}A (the two agree on L_0 when L is compatible)",
    "orbits-missing-generator": "Π_G of a group given by generators (perm-generators) from the orbits of all but its last "
                                "generator (an off-by-one over the generator list): for S_n the orbits of ⟨(0 1)⟩, so Π_G "
                                "projects onto a space larger than H_G",
}
