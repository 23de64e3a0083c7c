// getKernels: MEDTUNE_KERNELS picks an implementation (ts always works; unknown or unavailable names fail with a
// hint), the default is the fastest available, and without the addon it falls back to TypeScript with exactly
// one warning line per process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { isMedtuneError } from "../../src/core/index.ts";
import { availableKernels, getKernels } from "../../src/tensor/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

function withEnv<T>(value: string | undefined, fn: () => T): T {
  const old = process.env.MEDTUNE_KERNELS;
  if (value === undefined) delete process.env.MEDTUNE_KERNELS;
  else process.env.MEDTUNE_KERNELS = value;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env.MEDTUNE_KERNELS;
    else process.env.MEDTUNE_KERNELS = old;
  }
}

test("MEDTUNE_KERNELS=ts gives the TypeScript reference, and it computes", () => {
  const k = withEnv("ts", getKernels);
  assert.equal(k.name, "ts");
  const C = new Float32Array(4);
  k.gemm(false, false, 2, 2, 2, 1, Float32Array.of(1, 2, 3, 4), 2, Float32Array.of(5, 6, 7, 8), 2, 0, C, 2);
  assert.deepEqual([...C], [19, 22, 43, 50]);
});

test("without MEDTUNE_KERNELS getKernels is the fastest available implementation", () => {
  assert.equal(withEnv(undefined, getKernels).name, availableKernels()[0].name);
  for (const k of availableKernels()) assert.equal(withEnv(k.name, getKernels).name, k.name);
});

test("an unknown or unavailable MEDTUNE_KERNELS fails with a hint", () => {
  assert.throws(() => withEnv("cuda", getKernels), (e) => isMedtuneError(e) && e.code === "KERNELS_UNKNOWN" && /use one of ts/.test(e.hint ?? ""));
  for (const name of ["native-blas", "native-simd"]) {
    if (availableKernels().some((k) => k.name === name)) continue;
    assert.throws(() => withEnv(name, getKernels), (e) => isMedtuneError(e) && e.code === "KERNELS_UNAVAILABLE");
  }
});

test("without the addon getKernels falls back to TypeScript and warns once; asking for native fails", () => {
  const root = resolve(import.meta.dirname, "../..");
  const script = `import { getKernels } from ${JSON.stringify(join(root, "src/tensor/index.ts"))};
    const a = getKernels(), b = getKernels();
    process.env.MEDTUNE_KERNELS = "native-simd";
    let code = "none";
    try { getKernels(); } catch (e) { code = e.code + ": " + e.hint; }
    console.log(JSON.stringify([a.name, b.name, code]));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, MEDTUNE_KERNELS: "", MEDTUNE_LOG: "info", MEDTUNE_NATIVE_PATH: join(tmpDir(), "missing.node") },
  });
  assert.equal(r.status, 0, r.stderr);
  const [a, b, code] = JSON.parse(r.stdout) as string[];
  assert.deepEqual([a, b], ["ts", "ts"]);
  assert.match(code, /^KERNELS_UNAVAILABLE: the native addon did not load \(.*missing\.node not found\): run npm rebuild$/);
  const warnings = r.stderr.split("\n").filter((l) => l.includes("native kernels unavailable"));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0], /missing\.node not found.*TypeScript reference.*npm rebuild/);
});
