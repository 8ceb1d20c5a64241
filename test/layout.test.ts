/**
 * The repository's layout rules, read from the files themselves: product code (src/) imports no tests, benchmarks
 * or examples; no file cites a path outside the repository; every public export carries a doc comment.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function filesUnder(dir: string, keep: (f: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (['node_modules', '.git', 'dist', '.stryker-tmp'].includes(name)) return [];
    return statSync(p).isDirectory() ? filesUnder(p, keep) : keep(p) ? [p] : [];
  });
}

/** Every module specifier a TypeScript file imports, statically or with import(), or re-exports. */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) out.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(ts.createSourceFile('x.ts', source, ts.ScriptTarget.ES2022, true));
  return out;
}

/** The relative imports of `file` that resolve outside `root` (src/). */
function escapes(file: string, source: string, root: string): string[] {
  return importsOf(source).filter((s) => s.startsWith('.') && relative(root, resolve(dirname(file), s)).startsWith('..'));
}

describe('layout', () => {
  const SRC = join(ROOT, 'src');
  test('src/ imports nothing outside src/ (no tests, benchmarks or examples)', () => {
    const files = filesUnder(SRC, (f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(50);
    const bad = files.flatMap((f) => escapes(f, readFileSync(f, 'utf8'), SRC).map((s) => `${relative(ROOT, f)} imports ${s}`));
    expect(bad).toEqual([]);
  });

  test('negative control: an import of properties/ from src/ is found, static or dynamic', () => {
    const f = join(SRC, 'cli', 'x.ts');
    expect(escapes(f, "import { a } from '../../properties/claims/index.js';", SRC)).toEqual(['../../properties/claims/index.js']);
    expect(escapes(f, "const m = await import('../../test/fixtures/x.js');", SRC)).toEqual(['../../test/fixtures/x.js']);
    expect(escapes(f, "export * from '../claims/index.js';", SRC)).toEqual([]);
  });

  test('no file of the repository cites a path outside it', () => {
    const text = filesUnder(ROOT, (f) => /\.(ts|mts|mjs|js|py|md|json|sh|yaml|yml|toml)$/.test(f) || f.endsWith(`${join('.ci', 'run')}`));
    const outside = ['../', 'shared/'].join('');
    const bad = text.filter((f) => !f.endsWith('package-lock.json') && readFileSync(f, 'utf8').includes(outside)).map((f) => relative(ROOT, f));
    expect(bad).toEqual([]);
  });

  test('every export of the public entry points has a doc comment', () => {
    const entries = ['index.ts', 'vitest.ts', join('arbitraries', 'index.ts')].map((f) => join(SRC, f));
    const program = ts.createProgram(entries, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true });
    const checker = program.getTypeChecker();
    const undocumented: string[] = [];
    let count = 0;
    for (const entry of entries) {
      const sf = program.getSourceFile(entry);
      if (!sf) throw new Error(`cannot read ${entry}`);
      const moduleSymbol = checker.getSymbolAtLocation(sf);
      if (!moduleSymbol) throw new Error(`${entry} is not a module`);
      for (const exp of checker.getExportsOfModule(moduleSymbol)) {
        count++;
        const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
        const documented = (sym.declarations ?? []).some((d) => ts.getJSDocCommentsAndTags(d).length > 0 || ts.getJSDocCommentsAndTags(ts.isVariableDeclaration(d) ? d.parent.parent : d).length > 0);
        if (!documented) undocumented.push(`${relative(SRC, entry)}: ${exp.name}`);
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(undocumented).toEqual([]);
  }, 60_000);
});
