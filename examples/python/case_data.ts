/**
 * `tsx examples/python/case_data.ts CASE_JSON OUT.json`: writes the data of a Case as eqflow builds it, `{x, y}` row
 * by row, so a training script in another language trains on exactly the samples check-trace estimates from (for
 * example the seeded class-balanced sample of `{"kind": "mnist", "count": 1000}`; docs/protocol.md §5).
 */
import { writeFileSync } from 'node:fs';
import { buildCase } from '../../src/impl/build.js';
import { parseCase } from '../../src/impl/caseSpec.js';

const [spec, out] = process.argv.slice(2);
const { data } = buildCase(parseCase(JSON.parse(spec)));
const rows = (v: Float64Array, w: number): number[][] => Array.from({ length: data.count }, (_, s) => Array.from(v.subarray(s * w, (s + 1) * w)));
writeFileSync(out, JSON.stringify({ x: rows(data.x, data.x.length / data.count), y: rows(data.y, data.y.length / data.count) }));
