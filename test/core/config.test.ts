// Config loading: YAML and JSON, unknown keys rejected with their path, flags override the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { loadConfig, MedtuneError } from "../../src/core/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

const Schema = z.object({ name: z.string().default("x"), dedup: z.object({ threshold: z.number().max(1).default(0.8) }).strict().prefault({}) }).strict();

test("YAML config with flags on top", () => {
  const p = join(tmpDir(), "c.yaml");
  writeFileSync(p, "name: demo\ndedup:\n  threshold: 0.9\n");
  assert.deepEqual(loadConfig(Schema, { file: p }), { name: "demo", dedup: { threshold: 0.9 } });
  assert.deepEqual(loadConfig(Schema, { file: p, overrides: { dedup: { threshold: 0.7 } } }), { name: "demo", dedup: { threshold: 0.7 } });
});

test("an unknown key is rejected with its path", () => {
  const p = join(tmpDir(), "c.json");
  writeFileSync(p, JSON.stringify({ dedup: { treshold: 0.9 } }));
  assert.throws(() => loadConfig(Schema, { file: p }), (e: unknown) => {
    assert.ok(e instanceof MedtuneError);
    assert.match(e.oneLine(), /unknown key "treshold" at dedup\.treshold \(.*c\.json\)/);
    return true;
  });
});

test("a bad value names its path", () => {
  assert.throws(() => loadConfig(Schema, { overrides: { dedup: { threshold: 2 } } }), /invalid value at dedup\.threshold/);
});

test("a YAML syntax error names the file", () => {
  const p = join(tmpDir(), "bad.yaml");
  writeFileSync(p, "name: [unclosed\n");
  assert.throws(() => loadConfig(Schema, { file: p }), (e: unknown) => e instanceof MedtuneError && /cannot parse config.*\(.*bad\.yaml\)/.test(e.oneLine()));
});
