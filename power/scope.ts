/**
 * Which mutants of the power run lie in the reference's mathematical code — the scope the issue names — and which in
 * its error handling or off the path the reference implementation runs. Error handling is found by syntax, for
 * detected and undetected mutants alike: an `if (…) throw …` statement (its condition and message), a `throw`, and
 * the guards — functions or methods named check*, require*, validate* — their bodies and their calls. Code off the
 * path (library helpers, integrators and factories the reference never calls) is known from the reasons stated for
 * undetected mutants (power/equivalent.json `scope`), since verify cannot reach it, and from VERIFIER_SIDE: the
 * functions only verify's own oracles run, which verify does reach.
 */
import ts from 'typescript';

/** A guard's name: check, checkPerm, requireFinite, validateRepresentation … (one that throws, see below) */
const GUARD = /^(check|require|validate)([A-Z]\w*)?$/;

/** The name a declaration gives a function, or the function a call calls (identifier or method). */
function nameOf(n: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && ts.isIdentifier(n.name)) return n.name.text;
  if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))) return n.name.text;
  if (ts.isCallExpression(n)) {
    const e = n.expression;
    return ts.isIdentifier(e) ? e.text : ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
  }
  return undefined;
}

/** Whether anything inside n throws or calls a guard. */
function throwsInside(n: ts.Node): boolean {
  let found = false;
  const visit = (x: ts.Node): void => {
    if (found) return;
    const name = ts.isCallExpression(x) ? nameOf(x) : undefined;
    if (ts.isThrowStatement(x) || (name !== undefined && GUARD.test(name))) found = true;
    else ts.forEachChild(x, visit);
  };
  ts.forEachChild(n, visit);
  return found;
}

/**
 * Source offsets [start, end) of the error handling of a TypeScript source. A function with a guard's name that
 * never throws is not one (Schreier–Sims's checkLevel sifts; it validates nothing), nor are calls to it.
 */
export function errorHandlingRanges(source: string): Array<readonly [number, number]> {
  const sf = ts.createSourceFile('m.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const notGuards = new Set<string>();
  const declared = (n: ts.Node): void => {
    const name = ts.isCallExpression(n) ? undefined : nameOf(n);
    if (name !== undefined && GUARD.test(name) && !throwsInside(n)) notGuards.add(name);
    ts.forEachChild(n, declared);
  };
  declared(sf);
  const out: Array<readonly [number, number]> = [];
  const only = (s: ts.Statement): boolean => ts.isThrowStatement(s) || (ts.isBlock(s) && s.statements.length === 1 && ts.isThrowStatement(s.statements[0]));
  const visit = (n: ts.Node): void => {
    const name = nameOf(n);
    const guard = name !== undefined && GUARD.test(name) && !notGuards.has(name);
    if ((ts.isIfStatement(n) && !n.elseStatement && only(n.thenStatement)) || ts.isThrowStatement(n) || guard) out.push([n.getStart(sf), n.end]);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** The offset at which each line of `source` starts: a 1-based (line, column) is at starts[line − 1] + column − 1. */
export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Whether an offset lies in one of the ranges. */
export const inRanges = (ranges: ReadonlyArray<readonly [number, number]>, at: number): boolean => ranges.some(([a, b]) => at >= a && at < b);

/**
 * Functions of the mutated modules that only verify's own oracles run, never the reference implementation it judges
 * (in process the two share these modules): a mutant there bends the verifier's yardstick, not an implementation, so
 * it is off the reference's path whether verify detects it or not. By file, function name → the claim that runs it.
 */
export const VERIFIER_SIDE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'src/flows/integrators.ts': { dopri5: "dynamics-flow's independent reference for A(T)", dopri5Tableau: "the tableau of dynamics-flow's reference" },
  'src/risk/haarRisk.ts': { adaptiveHaarRisk: "haar-quadrature's reference for R^aug" },
};

/** Source offsets [start, end) of the functions (declarations, or variables bound to a function) with these names. */
export function functionRanges(source: string, names: readonly string[]): Array<readonly [number, number]> {
  if (names.length === 0) return [];
  const sf = ts.createSourceFile('m.ts', source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: Array<readonly [number, number]> = [];
  const visit = (n: ts.Node): void => {
    const name = ts.isCallExpression(n) ? undefined : nameOf(n);
    if (name !== undefined && names.includes(name)) out.push([n.getStart(sf), n.end]);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
