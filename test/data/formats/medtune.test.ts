// medtune canonical QAItem JSONL: valid items pass through unchanged; schema failures name the zod path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { collect, tmpFile } from "./collect.ts";

const good = { id: "demo:1", source: "demo", kind: "mcq", question: "Q?", options: [{ label: "A", text: "a" }, { label: "B", text: "b" }], answer: "A", explanation: "E.", subject: "cardiology", metadata: { split: "train" } };

test("medtune: canonical items round-trip; sourceName replaces the source", async () => {
  const p = tmpFile("items.jsonl", JSON.stringify(good) + "\n");
  assert.deepEqual((await collect("medtune", p)).items, [good]);
  assert.equal((await collect("medtune", p, { sourceName: "mine" })).items[0].source, "mine");
});

test("medtune: schema failures report the zod path; unknown keys are rejected", async () => {
  const lines = [
    { ...good, kind: "essay" },
    { ...good, options: [{ label: "A" }] },
    { ...good, extra: 1 },
    { ...good, metadata: undefined },
  ].map((o) => JSON.stringify(o));
  const { errors } = await collect("medtune", tmpFile("bad.jsonl", lines.join("\n")));
  assert.deepEqual(errors.map((e) => [e.line, e.error!.field, e.error!.reason]), [
    [1, "kind", "schema.invalid"], [2, "options.0.text", "schema.invalid"], [3, "(record)", "schema.invalid"], [4, "metadata", "schema.invalid"],
  ]);
});
