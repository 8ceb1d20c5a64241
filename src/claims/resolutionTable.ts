/**
 * The committed resolution tables (docs/theory.md §10): what `npm run resolution` measured, per precision. Verify
 * reports quote the table of the precision they judged at. Generated: do not edit by hand.
 */
import type { ResolutionTable } from './resolution.js';

/** Resolution tables by precision, as last measured by `npm run resolution`. */
export const RESOLUTION: Readonly<Record<string, ResolutionTable>> = {
 "float64": {
  "precision": "float64",
  "seed": 2025,
  "runs": 10,
  "steps": 6,
  "claims": [
   {
    "claim": "action",
    "clean": "holds",
    "smallest": {
     "action": 1.5e-12,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "projectors",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 1.5e-12,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "gradient",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 9e-9,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 2.2e-12,
     "gradient": 2.2e-12,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-sampled-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 1.5e-12,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 4.7e-7,
     "gradient": 9e-9,
     "flow-time": 1.2e-9
    }
   },
   {
    "claim": "dynamics-in-L",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-stiff-fixed-point",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1a-2a",
    "clean": "holds",
    "smallest": {
     "action": 1.5e-12,
     "projector": null,
     "gradient": 1.5e-12,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1b-2b",
    "clean": "holds",
    "smallest": {
     "action": 1.5e-12,
     "projector": null,
     "gradient": 1.5e-12,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1d-2c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 1.5e-12,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2d",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 1.5e-12,
     "gradient": 1.5e-12,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2e",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 2.2e-12,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-gd",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 1.5e-12,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-stationary",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 1.5e-12,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-blocks",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 6.5e-8,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-regularized",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 4.4e-8,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-bound",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-rate",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 0.000054,
     "flow-time": 0.000011
    }
   },
   {
    "claim": "theorem-3-small-gamma",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r1",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r3",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r4",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 1.5e-12,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "compact-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-sn-sampled-augmentation",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "haar-quadrature",
    "clean": "holds",
    "smallest": {
     "action": 1.5e-12,
     "projector": null,
     "gradient": 1.5e-12,
     "flow-time": null
    }
   }
  ]
 },
 "float32": {
  "precision": "float32",
  "seed": 2025,
  "runs": 10,
  "steps": 6,
  "claims": [
   {
    "claim": "action",
    "clean": "holds",
    "smallest": {
     "action": 0.0000023,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "projectors",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.000005,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "gradient",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 0.0063,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.0013,
     "gradient": 0.0013,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-sampled-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.00039,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": 0.0042
    }
   },
   {
    "claim": "dynamics-in-L",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-stiff-fixed-point",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1a-2a",
    "clean": "holds",
    "smallest": {
     "action": 0.00018,
     "projector": null,
     "gradient": 0.00026,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1b-2b",
    "clean": "holds",
    "smallest": {
     "action": 0.00026,
     "projector": null,
     "gradient": 0.00039,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1d-2c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 0.00026,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2d",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.00026,
     "gradient": 0.00026,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2e",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.0028,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-gd",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.000054,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-stationary",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 0.000081,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-blocks",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 0.00026,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-regularized",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.031,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-bound",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-rate",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-small-gamma",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r1",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r3",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r4",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.00012,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "compact-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-sn-sampled-augmentation",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "haar-quadrature",
    "clean": "holds",
    "smallest": {
     "action": 0.00018,
     "projector": null,
     "gradient": 0.00012,
     "flow-time": null
    }
   }
  ]
 },
 "bfloat16": {
  "precision": "bfloat16",
  "seed": 2025,
  "runs": 10,
  "steps": 6,
  "claims": [
   {
    "claim": "action",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "projectors",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "gradient",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-sampled-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-in-L",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-stiff-fixed-point",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1a-2a",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1b-2b",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1d-2c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2d",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2e",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-gd",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-stationary",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-blocks",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-regularized",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-bound",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-rate",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-small-gamma",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r1",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r3",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r4",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "compact-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-sn-sampled-augmentation",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "haar-quadrature",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   }
  ]
 },
 "float16": {
  "precision": "float16",
  "seed": 2025,
  "runs": 10,
  "steps": 6,
  "claims": [
   {
    "claim": "action",
    "clean": "holds",
    "smallest": {
     "action": 0.021,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "projectors",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.045,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "gradient",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-sampled-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-in-L",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-stiff-fixed-point",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1a-2a",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1b-2b",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1d-2c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2d",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2e",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-gd",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-stationary",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-blocks",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-regularized",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-bound",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-rate",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-small-gamma",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r1",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r3",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r4",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "compact-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-sn-sampled-augmentation",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "haar-quadrature",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   }
  ]
 },
 "tf32": {
  "precision": "tf32",
  "seed": 2025,
  "runs": 10,
  "steps": 6,
  "claims": [
   {
    "claim": "action",
    "clean": "holds",
    "smallest": {
     "action": 0.021,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "projectors",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": 0.045,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "gradient",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-sampled-step",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-in-L",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "dynamics-stiff-fixed-point",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1a-2a",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1b-2b",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-1d-2c",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2d",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "lemma-2e",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-flow",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-gd",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-1-stationary",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-blocks",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": 0.031,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-2-regularized",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-bound",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-rate",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "theorem-3-small-gamma",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r1",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r3",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "remark-r4",
    "clean": "not resolvable",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "compact-group-projector",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "large-sn-sampled-augmentation",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   },
   {
    "claim": "haar-quadrature",
    "clean": "holds",
    "smallest": {
     "action": null,
     "projector": null,
     "gradient": null,
     "flow-time": null
    }
   }
  ]
 }
};
