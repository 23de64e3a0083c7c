// Loading evaluation items: through the dataset adapters, every record accounted for (kept, rejected with file and
// line, other kinds counted), limit and kind filters, duplicate ids refused, a stable dataset hash; the task table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { assetPath, isMedtuneError } from "../../../src/core/index.ts";
import { getTaskDef, builtinTaskData, itemsHash, loadItems, TASKS } from "../../../src/eval/index.ts";
import { sharedPath } from "../../helpers/shared.ts";
import { tmpDir } from "../../helpers/tmp.ts";

const line = (o: object) => JSON.stringify(o) + "\n";
const ITEM = { source: "s", kind: "mcq", question: "Q?", options: [{ label: "A", text: "x" }, { label: "B", text: "y" }], answer: "A", metadata: {} };

test("items are read in file order; rejected records keep file, line and reason; other kinds are counted", async () => {
  const dir = tmpDir();
  const path = join(dir, "set.jsonl");
  writeFileSync(path, [
    line({ ...ITEM, id: "a" }),
    line({ ...ITEM, id: "b", answer: "Z" }),
    "not json\n",
    line({ ...ITEM, id: "c", kind: "open", options: undefined, answer: "text" }),
    line({ ...ITEM, id: "d", question: "Q2?" }),
  ].join(""));
  const r = await loadItems({ format: "medtune", path }, { kind: "mcq" });
  assert.deepEqual(r.items.map((i) => i.id), ["a", "d"]);
  assert.equal(r.rejected.length, 2);
  assert.deepEqual(r.rejected.map((x) => [x.line, x.reason]), [[2, "mcq.answer-not-an-option"], [3, r.rejected[1].reason]]);
  assert.equal(r.rejected[0].file, path);
  assert.deepEqual(r.kinds, { mcq: 2, open: 1 });
  const first = await loadItems({ format: "medtune", path }, { limit: 1 });
  assert.deepEqual(first.items.map((i) => i.id), ["a"]);
  assert.equal(itemsHash(first.items), itemsHash(r.items.slice(0, 1)));
  assert.notEqual(itemsHash(r.items), itemsHash(first.items));
});

test("duplicate ids, a missing file and a bad limit are refused with where and what to do", async () => {
  const dir = tmpDir();
  const path = join(dir, "dup.jsonl");
  writeFileSync(path, line({ ...ITEM, id: "a" }) + line({ ...ITEM, id: "a", question: "Other?" }));
  await assert.rejects(loadItems({ format: "medtune", path }), (e: unknown) => isMedtuneError(e) && e.code === "eval.duplicate-id" && e.where === `${path}:2` && /first at .*:1/.test(e.message));
  await assert.rejects(loadItems({ format: "medtune", path: join(dir, "nope.jsonl") }), (e: unknown) => isMedtuneError(e) && e.code === "eval.data-missing");
  await assert.rejects(loadItems({ format: "medtune", path }, { limit: 0 }), /limit must be a positive integer/);
  await assert.rejects(loadItems({ format: "nope", path }), /unknown dataset format/);
});

test("the MedQA slice reads as 260 four-option MCQs", async (t) => {
  const path = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  if (!path) return;
  const r = await loadItems({ format: getTaskDef("medqa").format, path }, { kind: "mcq" });
  assert.equal(r.items.length, 260);
  assert.equal(r.rejected.length, 0);
  assert.ok(r.items.every((it) => it.options!.length === 4));
});

test("task table: built-in tasks, demo data built in, and any dataset format as a task", async () => {
  assert.equal(getTaskDef("pubmedqa").kind, "yesno");
  assert.equal(getTaskDef("medquad").scoring, "generative");
  assert.equal(builtinTaskData(getTaskDef("medqa")), null);
  assert.equal(builtinTaskData(getTaskDef("demo-mcq")), assetPath("demo/mcq.jsonl"));
  assert.equal(getTaskDef("generic-jsonl").format, "generic-jsonl");
  assert.equal(getTaskDef("medtune").kind, undefined);
  assert.throws(() => getTaskDef("nope"), (e: unknown) => isMedtuneError(e) && e.hint!.includes("demo-mcq"));
  for (const t of Object.values(TASKS)) if (t.builtinData) assert.ok((await loadItems({ format: t.format, path: builtinTaskData(t)! }, { kind: t.kind })).items.length > 50, t.name);
});
