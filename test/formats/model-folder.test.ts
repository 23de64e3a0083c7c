// loadModel dispatch: HF folder, .gguf file, folder with one .gguf, and errors for everything else.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyFileSync, writeFileSync } from "node:fs";
import { MedtuneError } from "../../src/core/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { detectModel, loadModel } from "../../src/formats/index.ts";

test("loads an HF folder, a .gguf file and a folder holding one .gguf", async (t) => {
  const hf = sharedPath(t, "models/stories260K/hf");
  const g = sharedPath(t, "models/stories260K/stories260K.gguf");
  if (!hf || !g) return;
  const a = await loadModel(hf);
  assert.equal(a.format, "hf");
  const b = await loadModel(g);
  assert.equal(b.format, "gguf");
  assert.deepEqual(b.config, a.config);
  assert.equal(b.metadata?.["general.architecture"], "llama");
  const dir = tmpDir();
  copyFileSync(g, join(dir, "model.gguf"));
  assert.deepEqual(detectModel(dir), { format: "gguf", path: join(dir, "model.gguf") });
});

test("empty folder, two GGUFs, a stray file and a missing path are clear errors", async () => {
  const dir = tmpDir();
  const is = (code: string, re: RegExp) => (e: unknown) => e instanceof MedtuneError && e.code === code && re.test(e.message);
  await assert.rejects(loadModel(dir), is("model.missing", new RegExp(`no config.json or \\*\\.gguf at ${dir.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`)));
  writeFileSync(join(dir, "a.gguf"), "");
  writeFileSync(join(dir, "b.gguf"), "");
  await assert.rejects(loadModel(dir), is("model.ambiguous", /2 \.gguf files/));
  const f = join(dir, "weights.bin");
  writeFileSync(f, "");
  await assert.rejects(loadModel(f), is("model.format", /not a model file/));
  await assert.rejects(loadModel(join(dir, "nope")), is("model.missing", /no such file or folder/));
});
