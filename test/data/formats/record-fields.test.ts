// Field access for adapters (src/data/formats/record-fields.ts): dotted paths, file metadata, and mapRecord turning a
// mapping failure into a located error record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RecordError, fileMetadata, getPath, mapRecord } from "../../../src/data/formats/record-fields.ts";
import type { QAItem } from "../../../src/data/schema.ts";

test("getPath: an exact key wins, dotted paths step through objects and arrays, anything missing is undefined", () => {
  const obj = { a: { b: [{ c: 1 }, { c: 2 }] }, "x.y": "exact", x: { y: "nested" }, n: null };
  assert.equal(getPath(obj, "x.y"), "exact");
  assert.equal(getPath(obj, "a.b.1.c"), 2);
  assert.deepEqual(getPath(obj, "a.b.0"), { c: 1 });
  assert.equal(getPath(obj, "n"), null);
  assert.equal(getPath(obj, "missing"), undefined);
  assert.equal(getPath(obj, "a.missing.c"), undefined);
  assert.equal(getPath(obj, "a.b.9.c"), undefined);
  assert.equal(getPath(obj, "toString"), undefined, "inherited properties are not fields");
  assert.equal(getPath(["p", "q"], "1"), "q", "a top-level array takes an index");
  assert.equal(getPath("text", "length"), undefined);
});

test("fileMetadata: basename and the split the name states, a fresh object every call, file after file", () => {
  const a = fileMetadata("/data/medqa/train.jsonl");
  assert.deepEqual(a, { file: "train.jsonl", split: "train" });
  Object.assign(a, { extra: 1 });
  assert.deepEqual(fileMetadata("/data/medqa/train.jsonl"), { file: "train.jsonl", split: "train" }, "changing one result leaves the next alone");
  assert.deepEqual(fileMetadata("/data/other/questions.jsonl"), { file: "questions.jsonl" });
  assert.deepEqual(fileMetadata("/data/medmcqa/dev_shared_half.jsonl"), { file: "dev_shared_half.jsonl", split: "dev" });
  assert.deepEqual(fileMetadata("/data/medqa/train.jsonl"), { file: "train.jsonl", split: "train" });
});

test("mapRecord: the item, a RecordError as its problem, any other failure as adapter.failed", () => {
  const item = { id: "s:1", source: "s", kind: "open", question: "Q?", answer: "A.", metadata: {} } as QAItem;
  assert.deepEqual(mapRecord("f.jsonl", 3, "{}", 2, {}, () => item), { file: "f.jsonl", line: 3, raw: "{}", bytes: 2, item });
  const bad = mapRecord("f.jsonl", 4, "{}", 2, {}, () => {
    throw new RecordError("question", "field.missing", "no question");
  });
  assert.deepEqual(bad, { file: "f.jsonl", line: 4, raw: "{}", bytes: 2, error: { field: "question", reason: "field.missing", message: "no question" } });
  const crash = mapRecord("f.jsonl", 5, "{}", 2, {}, () => {
    throw new TypeError("boom");
  });
  assert.equal(crash.error?.reason, "adapter.failed");
  assert.match(crash.error!.message, /boom/);
});
