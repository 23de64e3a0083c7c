// The adapter registry: every adapter is registered under its own name and described; unknown names list the known.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ADAPTERS, getAdapter } from "../../../src/data/formats/index.ts";

test("ADAPTERS holds each format under its own name", () => {
  assert.deepEqual(Object.keys(ADAPTERS).sort(), ["alpaca", "chat", "generic-csv", "generic-jsonl", "medmcqa", "medqa", "medquad", "medtune", "mmlu", "pubmedqa"]);
  for (const [name, a] of Object.entries(ADAPTERS)) {
    assert.equal(a.name, name);
    assert.ok(a.description.length > 10);
    assert.equal(getAdapter(name), a);
  }
});

test("getAdapter: an unknown name throws a MedtuneError listing the known names", () => {
  assert.throws(() => getAdapter("medqaa"), (e: Error & { code?: string; hint?: string }) => e.name === "MedtuneError" && e.code === "data.unknown-format" && /medqa, medmcqa/.test(e.hint ?? ""));
  assert.throws(() => getAdapter("toString"), /unknown dataset format/);
});
