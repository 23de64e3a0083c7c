// Reads the real import statements of the source tree (TypeScript parser) and checks the layer rules of
// DESIGN.md: imports point down only, siblings in a layer do not import each other, no cycles, and another
// folder is entered only through its index.ts.
import ts from "typescript";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, dirname, resolve, relative } from "node:path";

/** Layer of each top-level folder under src/ (DESIGN.md). `src/index.ts` itself sits above all. */
export const LAYERS: Record<string, number> = {
  core: 0,
  tensor: 1, formats: 1, tokenizer: 1,
  nn: 2, data: 2,
  train: 3, providers: 3, rag: 3, store: 3,
  eval: 4, review: 4,
  recipes: 5,
  cli: 6, server: 6,
  "": 7,
};

/** The module specifiers a source file imports or re-exports (static and dynamic `import("...")`). */
export function importsOf(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push(n.moduleSpecifier.text);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments.length === 1 && ts.isStringLiteral(n.arguments[0])) {
      out.push(n.arguments[0].text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/** Top-level folder of a path relative to src/ ("" for files directly in src/). */
export function folderOf(relPath: string): string {
  const parts = relPath.split("/");
  return parts.length > 1 ? parts[0] : "";
}

/** Checks a set of files (paths relative to src/ -> source text); returns one message per violation. */
export function checkArchitecture(files: Map<string, string>): string[] {
  const problems: string[] = [];
  const graph = new Map<string, string[]>();
  for (const [rel, text] of files) {
    const from = folderOf(rel);
    if (!(from in LAYERS)) problems.push(`${rel}: folder "${from}" is not a layer in DESIGN.md`);
    const edges: string[] = [];
    for (const spec of importsOf(rel, text)) {
      if (!spec.startsWith(".")) continue;
      const target = relative("/src", resolve("/src", dirname(rel), spec)).split("\\").join("/");
      if (target.startsWith("..")) {
        problems.push(`${rel}: imports ${spec}, outside src/`);
        continue;
      }
      edges.push(target);
      const to = folderOf(target);
      if (to === from) continue;
      const lf = LAYERS[from] ?? -1;
      const lt = LAYERS[to] ?? 99;
      if (lt > lf) problems.push(`${rel}: upward import of ${target} (layer ${from}=${lf} -> ${to}=${lt})`);
      else if (lt === lf) problems.push(`${rel}: sibling import of ${target} (${from} and ${to} are both layer ${lf})`);
      if (to !== "" && target !== `${to}/index.ts`) problems.push(`${rel}: imports ${target} directly; use ${to}/index.ts`);
    }
    graph.set(rel, edges);
  }
  // Cycle detection over files (iterative DFS with colours).
  const colour = new Map<string, number>();
  const stack: string[] = [];
  const dfs = (n: string): void => {
    colour.set(n, 1);
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      const c = colour.get(m) ?? 0;
      if (c === 1) problems.push(`import cycle: ${[...stack.slice(stack.indexOf(m)), m].join(" -> ")}`);
      else if (c === 0) dfs(m);
    }
    stack.pop();
    colour.set(n, 2);
  };
  for (const n of [...graph.keys()].sort()) if ((colour.get(n) ?? 0) === 0) dfs(n);
  return problems;
}

/** Reads every .ts file under a src/ folder into the map `checkArchitecture` takes. */
export function readSourceTree(srcDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".ts")) files.set(relative(srcDir, p).split("\\").join("/"), readFileSync(p, "utf8"));
    }
  };
  walk(srcDir);
  return files;
}
