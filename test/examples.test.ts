// The configs in examples/ stay valid: each parses and passes its recipe's strict schema.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PrepareConfigSchema, FinetuneConfigSchema, EvalConfigSchema } from "../src/recipes/index.ts";

const DIR = join(import.meta.dirname, "../examples");
for (const [file, schema] of [["prepare.yaml", PrepareConfigSchema], ["finetune.yaml", FinetuneConfigSchema], ["eval.yaml", EvalConfigSchema]] as const) {
  test(`examples/${file} is a valid config`, () => {
    const r = schema.safeParse(parse(readFileSync(join(DIR, file), "utf8")));
    assert.ok(r.success, r.success ? "" : JSON.stringify(r.error.issues[0]));
  });
}
