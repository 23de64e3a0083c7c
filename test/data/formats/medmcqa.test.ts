// MedMCQA adapter: cop numbering detected per file (1-based GitHub release, 0-based Hugging Face release),
// null explanations and topics, unlabelled (-1) and out-of-range answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { collect, tmpFile } from "./collect.ts";
import { detectCopBase } from "../../../src/data/formats/medmcqa.ts";

const rec = (id: string, cop: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ question: `Q ${id}?`, exp: null, cop, opa: "a", opb: "b", opc: "c", opd: "d", subject_name: "Anatomy", topic_name: null, id, choice_type: "single", ...extra });

test("MedMCQA: a 4 makes the file 1-based; cop 5 is out of range; exp/topic kept when present", async () => {
  const p = tmpFile("dev.jsonl", [rec("u1", 1), rec("u2", 4, { exp: "Because.", topic_name: "Nerves" }), rec("u3", 5), rec("u4", 2)].join("\n"));
  const { items, errors } = await collect("medmcqa", p);
  assert.deepEqual(items.map((i) => [i.id, i.answer]), [["medmcqa:u1", "A"], ["medmcqa:u2", "D"], ["medmcqa:u4", "B"]]);
  assert.equal(items[1].explanation, "Because.");
  assert.equal(items[1].metadata.topic, "Nerves");
  assert.equal(items[0].explanation, undefined, "null exp is no explanation");
  assert.equal(items[0].subject, "Anatomy");
  assert.deepEqual(items[0].metadata, { file: "dev.jsonl", split: "dev", copBase: 1, choiceType: "single" });
  assert.deepEqual(errors.map((e) => [e.line, e.error!.field, e.error!.reason]), [[3, "cop", "answer.out-of-range"]]);
});

test("MedMCQA: a 0 makes the file 0-based (Hugging Face export); -1 is unlabelled", async () => {
  const p = tmpFile("train.jsonl", [rec("h1", 0), rec("h2", 3), rec("h3", -1), rec("h4", "1")].join("\n"));
  const { items, errors } = await collect("medmcqa", p);
  assert.deepEqual(items.map((i) => i.answer), ["A", "D", "B"]);
  assert.ok(items.every((i) => i.metadata.copBase === 0));
  assert.deepEqual(errors.map((e) => e.error!.reason), ["answer.missing"]);
});

test("MedMCQA: without 0 or 4 the 1-based release is assumed and marked; mixed files follow the majority", async () => {
  assert.deepEqual(await detectCopBase(tmpFile("a.jsonl", [rec("x", 1), rec("y", 2)].join("\n"))), { base: 1, detected: false });
  assert.deepEqual(await detectCopBase(tmpFile("b.jsonl", [rec("x", 0), rec("y", 0), rec("z", 4)].join("\n"))), { base: 0, detected: true });
  const { items } = await collect("medmcqa", tmpFile("c.jsonl", rec("x", 3)));
  assert.equal(items[0].answer, "C");
  assert.equal(items[0].metadata.copBaseAssumed, true);
});

test("MedMCQA: a missing option field or cop is an error record", async () => {
  const noOpd = JSON.stringify({ question: "Q?", opa: "a", opb: "b", opc: "c", cop: 1, id: "m1" });
  const noCop = JSON.stringify({ question: "Q?", opa: "a", opb: "b", opc: "c", opd: "d", id: "m2" });
  const { errors } = await collect("medmcqa", tmpFile("d.jsonl", [noOpd, noCop].join("\n")));
  assert.deepEqual(errors.map((e) => [e.error!.field, e.error!.reason]), [["opd", "field.missing"], ["cop", "field.missing"]]);
});
