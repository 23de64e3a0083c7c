// The layer rules of DESIGN.md, checked on the real import statements of src/, and the checker itself shown
// to fail on an upward import, a sibling import, a deep import and a cycle.
import { test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { checkArchitecture, readSourceTree, importsOf } from "./helpers/imports.ts";

test("src/ follows the layer rules (no upward, sibling or deep imports, no cycles)", () => {
  const files = readSourceTree(resolve(import.meta.dirname, "../src"));
  assert.ok(files.size > 10, `expected the source tree, found ${files.size} files`);
  const problems = checkArchitecture(files);
  assert.deepEqual(problems, [], problems.join("\n"));
});

test("the import parser sees static, re-export and dynamic imports, not strings or comments", () => {
  const src = `import a from "./a.ts";\nexport * from "../b/index.ts";\nconst c = await import("./c.ts");\n// import x from "./x.ts"\nconst s = "import y from './y.ts'";`;
  assert.deepEqual(importsOf("f.ts", src), ["./a.ts", "../b/index.ts", "./c.ts"]);
});

test("the checker fails on an upward import", () => {
  const p = checkArchitecture(new Map([["core/x.ts", `import { y } from "../data/index.ts";`], ["data/index.ts", ""]]));
  assert.equal(p.length, 1);
  assert.match(p[0], /upward import/);
});

test("the checker fails on a sibling import", () => {
  const p = checkArchitecture(new Map([["nn/x.ts", `import { y } from "../data/index.ts";`], ["data/index.ts", ""]]));
  assert.match(p.join("\n"), /sibling import/);
});

test("the checker fails on a deep import into another folder", () => {
  const p = checkArchitecture(new Map([["data/x.ts", `import { y } from "../core/rng.ts";`], ["core/rng.ts", ""]]));
  assert.match(p.join("\n"), /directly; use core\/index.ts/);
});

test("the checker fails on a cycle", () => {
  const p = checkArchitecture(new Map([["data/a.ts", `import "./b.ts";`], ["data/b.ts", `import "./c.ts";`], ["data/c.ts", `import "./a.ts";`]]));
  assert.match(p.join("\n"), /import cycle: data\/a.ts -> data\/b.ts -> data\/c.ts -> data\/a.ts/);
});

test("the checker passes a downward import through an index", () => {
  assert.deepEqual(checkArchitecture(new Map([["data/x.ts", `import { y } from "../core/index.ts";`], ["core/index.ts", ""]])), []);
});
