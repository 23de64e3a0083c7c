// Loads every dataset in ../shared/data through its adapter and checks the counts its README states, with zero
// error records, unique ids and schema-valid items.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { QAItemSchema, type QAItem } from "../../../src/data/schema.ts";
import { sharedPath } from "../../helpers/shared.ts";
import { collect, countBy } from "./collect.ts";

function checkItems(items: QAItem[]): void {
  const ids = new Set(items.map((i) => i.id));
  assert.equal(ids.size, items.length, "ids are unique");
  for (const it of items) {
    const r = QAItemSchema.safeParse(it);
    assert.ok(r.success, `${it.id} matches QAItemSchema: ${r.success ? "" : r.error.message}`);
  }
}

test("PubMedQA ori_pqal.json: 1000 items, yes 552 / no 338 / maybe 110, official split from test_ground_truth.json", async (t) => {
  const p = sharedPath(t, "data/pubmedqa/ori_pqal.json");
  if (!p) return;
  const { records, items, errors } = await collect("pubmedqa", p);
  assert.equal(errors.length, 0);
  assert.equal(records.length, 1000);
  assert.deepEqual(countBy(items, (i) => i.answer), { yes: 552, no: 338, maybe: 110 });
  assert.ok(items.every((i) => i.kind === "yesno" && (i.context?.length ?? 0) > 0 && i.explanation));
  assert.deepEqual(countBy(items, (i) => i.metadata.split as string), { test: 500, trainval: 500 });
  assert.deepEqual(records.slice(0, 3).map((r) => r.line), [1, 2, 3]);
  checkItems(items);
});

test("PubMedQA pqal_test_set.json: 500 items, yes 276 / no 169 / maybe 55", async (t) => {
  const p = sharedPath(t, "data/pubmedqa/pqal_test_set.json");
  if (!p) return;
  const { items, errors } = await collect("pubmedqa", p);
  assert.equal(errors.length, 0);
  assert.equal(items.length, 500);
  assert.deepEqual(countBy(items, (i) => i.answer), { yes: 276, no: 169, maybe: 55 });
  assert.ok(items.every((i) => i.metadata.split === "test"));
  checkItems(items);
});

test("PubMedQA test_ground_truth.json (labels only) is refused with a hint", async (t) => {
  const p = sharedPath(t, "data/pubmedqa/test_ground_truth.json");
  if (!p) return;
  await assert.rejects(collect("pubmedqa", p), /labels only/);
});

test("MedQuAD JSONL: 16,407 pairs with the README's per-folder counts", async (t) => {
  const p = sharedPath(t, "data/medquad/medquad.jsonl");
  if (!p) return;
  const { items, errors } = await collect("medquad", p);
  assert.equal(errors.length, 0);
  assert.equal(items.length, 16407);
  assert.deepEqual(countBy(items, (i) => i.metadata.collection as string), {
    "1_CancerGov_QA": 729, "2_GARD_QA": 5389, "3_GHR_QA": 5430, "4_MPlus_Health_Topics_QA": 981, "5_NIDDK_QA": 1192,
    "6_NINDS_QA": 1088, "7_SeniorHealth_QA": 769, "8_NHLBI_QA_XML": 559, "9_CDC_QA": 270,
  });
  assert.equal(Object.keys(countBy(items, (i) => i.subject)).length, 16, "16 question types as subjects");
  assert.ok(items.every((i) => i.kind === "open" && i.answer !== ""));
  checkItems(items);
});

test("MMLU medical val: 123 items with the README's per-subject counts; dev: 30", async (t) => {
  const dir = sharedPath(t, "data/mmlu_medical");
  if (!dir) return;
  const val = await collect("mmlu", join(dir, "val"));
  assert.equal(val.errors.length, 0);
  assert.equal(val.items.length, 123);
  assert.deepEqual(countBy(val.items, (i) => i.subject), {
    anatomy: 14, clinical_knowledge: 29, college_biology: 16, college_medicine: 22, medical_genetics: 11, professional_medicine: 31,
  });
  assert.ok(val.items.every((i) => i.metadata.split === "val" && i.options?.length === 4));
  checkItems(val.items);
  const dev = await collect("mmlu", join(dir, "dev"));
  assert.equal(dev.errors.length, 0);
  assert.equal(dev.items.length, 30);
  assert.ok(Object.values(countBy(dev.items, (i) => i.subject)).every((n) => n === 5));
  const all = await collect("mmlu", dir);
  assert.equal(all.items.length, 153, "the whole folder is read recursively");
});

test("MedQA slice: 260 four-option items, gold text equals the stated answer", async (t) => {
  const p = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  if (!p) return;
  const { items, errors } = await collect("medqa", p);
  assert.equal(errors.length, 0);
  assert.equal(items.length, 260);
  assert.ok(items.every((i) => i.options?.length === 4 && i.metadata.answerText === undefined && Array.isArray(i.metadata.metamapPhrases)));
  assert.deepEqual(Object.keys(countBy(items, (i) => i.metadata.metaInfo as string)).sort(), ["step1", "step2&3"]);
  checkItems(items);
});

test("MedMCQA dev half: 2,060 items, cop detected as 1-based", async (t) => {
  const p = sharedPath(t, "data/medmcqa/dev_shared_half.jsonl");
  if (!p) return;
  const { items, errors } = await collect("medmcqa", p);
  assert.equal(errors.length, 0);
  assert.equal(items.length, 2060);
  assert.ok(items.every((i) => i.metadata.copBase === 1 && i.metadata.copBaseAssumed === undefined));
  assert.equal(Object.keys(countBy(items, (i) => i.subject)).length, 21, "21 subjects");
  checkItems(items);
});
