// PubMedQA adapter on fixtures: PQA-L entries, the official split from test_ground_truth.json, PQA-U (unlabelled)
// entries as error records, broken entries, and files that are not PubMedQA data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collect, tmpFile } from "./collect.ts";
import { tmpDir } from "../../helpers/tmp.ts";

const entry = (q: string, decision?: string) => ({
  QUESTION: q, CONTEXTS: ["First passage.", "Second passage."], LABELS: ["BACKGROUND", "RESULTS"], MESHES: ["Humans"], YEAR: "2011",
  reasoning_required_pred: "yes", reasoning_free_pred: "yes", ...(decision === undefined ? {} : { final_decision: decision }), LONG_ANSWER: `Long answer to ${q}`,
});

test("PubMedQA: entries map to yesno items with contexts, long answer and metadata; record number = position", async () => {
  const dir = tmpDir();
  const file = join(dir, "ori_pqal.json");
  writeFileSync(file, JSON.stringify({ "111": entry("Does A help?", "yes"), "222": entry("Does B harm?", "maybe") }, null, 4));
  writeFileSync(join(dir, "test_ground_truth.json"), JSON.stringify({ "222": "maybe" }));
  const { records, items } = await collect("pubmedqa", file);
  assert.deepEqual(records.map((r) => r.line), [1, 2]);
  assert.deepEqual(items[0], {
    id: "pubmedqa:111", source: "pubmedqa", kind: "yesno", question: "Does A help?", answer: "yes",
    context: ["First passage.", "Second passage."], explanation: "Long answer to Does A help?",
    metadata: { file: "ori_pqal.json", pmid: "111", split: "trainval", labels: ["BACKGROUND", "RESULTS"], meshes: ["Humans"], year: "2011" },
  });
  assert.equal(items[1].metadata.split, "test", "the PMID listed in test_ground_truth.json is in the official test split");
});

test("PubMedQA: without test_ground_truth.json no split is invented; PQA-U entries without final_decision are errors", async () => {
  const dir = tmpDir();
  mkdirSync(join(dir, "u"));
  const file = join(dir, "u", "ori_pqau.json");
  writeFileSync(file, JSON.stringify({ "1": entry("Unlabelled?"), "2": entry("Labelled?", "no") }));
  const { items, errors } = await collect("pubmedqa", file);
  assert.equal(items.length, 1);
  assert.equal(items[0].metadata.split, undefined);
  assert.deepEqual(errors.map((e) => [e.line, e.error!.field, e.error!.reason]), [[1, "final_decision", "field.missing"]]);
  assert.match(errors[0].raw, /^"1":\s*\{"QUESTION":"Unlabelled\?"/);
});

test("PubMedQA: a broken entry, a missing QUESTION and a non-object entry are error records; the rest is read", async () => {
  const text = `{"1": {"QUESTION": "ok?", "final_decision": "no"}, "2": {"QUESTION": oops}, "3": {"final_decision": "yes"}, "4": [1], "5": {"QUESTION": "fine?", "final_decision": "yes"}}`;
  const { records } = await collect("pubmedqa", tmpFile("x.json", text));
  assert.deepEqual(records.map((r) => r.error?.reason ?? r.item!.id), ["pubmedqa:1", "json.parse", "field.missing", "record.type", "pubmedqa:5"]);
});

test("PubMedQA: a labels-only file, a JSON array and an empty file", async () => {
  await assert.rejects(collect("pubmedqa", tmpFile("test_ground_truth.json", '{"1": "yes"}')), /labels only/);
  await assert.rejects(collect("pubmedqa", tmpFile("a.json", "[{}]")), /JSON array/);
  assert.equal((await collect("pubmedqa", tmpFile("e.json", ""))).records.length, 0);
});

test("PubMedQA with select: one call per entry in order, turned-down entries unparsed placeholders, the first always checked", async () => {
  const text = `{"1": {"QUESTION": "ok?", "final_decision": "no"}, "2": {"QUESTION": oops}, "3": {"QUESTION": "b?", "final_decision": "yes"}, "4": [1], "5": {"QUESTION": "c?", "final_decision": "maybe"}}`;
  const file = tmpFile("x.json", text);
  const plain = (await collect("pubmedqa", file)).records;
  let calls = 0;
  const { records } = await collect("pubmedqa", file, { select: () => calls++ % 2 === 1 });
  assert.equal(calls, 5, "one call per entry");
  assert.deepEqual(records.map((r) => Boolean(r.skipped)), [false, false, true, false, true], "entry 1 is read although turned down; 3 and 5 are placeholders");
  assert.deepEqual(records.map((r) => r.line), plain.map((r) => r.line));
  for (const r of records.filter((x) => x.skipped)) assert.ok(r.item === undefined && r.error === undefined && r.raw === "");
  assert.deepEqual(records.filter((r) => !r.skipped), plain.filter((r) => r.line <= 2 || r.line === 4));
  // a labels-only file is refused even by a reader that turns every entry down
  await assert.rejects(collect("pubmedqa", tmpFile("test_ground_truth.json", '{"1": "yes", "2": "no"}'), { select: () => false }), /labels only/);
});
