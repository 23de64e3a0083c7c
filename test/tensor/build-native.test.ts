// The install-time build wrapper never fails an install: a failed native build prints exactly one warning line
// (with the reason and the fix) and exits 0. Run on a copy of native/ without node_modules, so it must fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { tmpDir } from "../helpers/tmp.ts";

test("build-native.mjs turns a failed build into one warning line and exit code 0", () => {
  const root = resolve(import.meta.dirname, "../..");
  const copy = tmpDir();
  mkdirSync(join(copy, "scripts"));
  cpSync(join(root, "scripts", "build-native.mjs"), join(copy, "scripts", "build-native.mjs"));
  cpSync(join(root, "native"), join(copy, "native"), { recursive: true, filter: (src) => !src.includes(`${join("native", "build")}`) });
  const r = spawnSync(process.execPath, [join(copy, "scripts", "build-native.mjs")], {
    cwd: copy,
    encoding: "utf8",
    env: { ...process.env, MEDTUNE_NATIVE_VERBOSE: "", npm_config_nodedir: process.env.npm_config_nodedir ?? "" },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^medtune: native kernels could not be built \(.+\); using the TypeScript reference: install a C\+\+ toolchain \(and libopenblas-dev for the BLAS path\) and run npm rebuild$/);
  assert.equal(r.stdout, "");
  assert.ok(!existsSync(join(copy, "native", "build", "Release", "medtune_native.node")));
});
