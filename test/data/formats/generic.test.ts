// Generic JSONL and CSV adapters: the FieldMapping with every options form, every answerFormat, kind inference,
// dotted paths, and the mapping/header errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { collect, tmpFile } from "./collect.ts";

const opts4 = { A: "w", B: "x", C: "y", D: "z" };

test("generic-jsonl: options as an object, an array or a list of fields, with each answerFormat", async () => {
  const cases: { rec: object; mapping: object; answer: string }[] = [
    { rec: { q: "Q?", o: opts4, a: "C" }, mapping: { question: "q", options: "o", answer: "a", answerFormat: "label" }, answer: "C" },
    { rec: { q: "Q?", o: ["w", "x", "y", "z"], a: 0 }, mapping: { question: "q", options: "o", answer: "a", answerFormat: "index0" }, answer: "A" },
    { rec: { q: "Q?", o: ["w", "x", "y", "z"], a: "4" }, mapping: { question: "q", options: "o", answer: "a", answerFormat: "index1" }, answer: "D" },
    { rec: { q: "Q?", o: ["w", "x", "y", "z"], a: " Y" }, mapping: { question: "q", options: "o", answer: "a", answerFormat: "text" }, answer: "C" },
    { rec: { q: "Q?", c1: "w", c2: "x", c3: "y", a: "B" }, mapping: { question: "q", options: ["c1", "c2", "c3"], answer: "a" }, answer: "B" },
    { rec: { q: "Q?", c1: "w", c2: "x", c3: "y", a: "c3" }, mapping: { question: "q", options: ["c1", "c2", "c3"], answer: "a" }, answer: "C" },
  ];
  for (const c of cases) {
    const { items, errors } = await collect("generic-jsonl", tmpFile("g.jsonl", JSON.stringify(c.rec)), { mapping: c.mapping as never });
    assert.equal(errors.length, 0, JSON.stringify(errors[0]?.error));
    assert.equal(items[0].kind, "mcq");
    assert.equal(items[0].answer, c.answer, JSON.stringify(c));
  }
});

test("generic-jsonl: dotted paths, id/context/explanation/subject, trailing empty option fields, kind inference", async () => {
  const lines = [
    { meta: { id: "x1", topic: "cardio" }, item: { stem: "Q?", choices: ["a", "b"] }, key: "B", why: "because", ctx: ["p1", "p2"] },
    { item: { stem: "Is it?" }, key: "Yes" },
    { item: { stem: "Explain." }, key: "A long answer." },
  ].map((o) => JSON.stringify(o));
  const p = tmpFile("nested.jsonl", lines.join("\n"));
  const m = { id: "meta.id", question: "item.stem", answer: "key", explanation: "why", subject: "meta.topic", context: "ctx" };
  const mcq = await collect("generic-jsonl", p, { mapping: { ...m, options: "item.choices" }, sourceName: "mine" });
  assert.deepEqual(mcq.items[0], {
    id: "mine:x1", source: "mine", kind: "mcq", question: "Q?", options: [{ label: "A", text: "a" }, { label: "B", text: "b" }], answer: "B",
    context: ["p1", "p2"], explanation: "because", subject: "cardio", metadata: { file: "nested.jsonl" },
  });
  assert.deepEqual(mcq.errors.map((e) => [e.line, e.error!.reason]), [[2, "field.missing"], [3, "field.missing"]], "mcq mapping: records without options are errors");
  const free = await collect("generic-jsonl", p, { mapping: m, subject: "fallback" });
  assert.deepEqual(free.items.map((i) => [i.kind, i.answer, i.id, i.subject]), [
    ["open", "B", "generic-jsonl:x1", "cardio"], ["yesno", "yes", "generic-jsonl:nested.jsonl:2", "fallback"], ["open", "A long answer.", "generic-jsonl:nested.jsonl:3", "fallback"],
  ]);
  const five = await collect("generic-jsonl", tmpFile("f.jsonl", JSON.stringify({ q: "Q?", a1: "x", a2: "y", a3: "z", a4: "", ans: "A" })), { mapping: { question: "q", options: ["a1", "a2", "a3", "a4", "a5"], answer: "ans" } });
  assert.equal(five.items[0].options?.length, 3, "absent/empty trailing option fields are not options");
});

test("generic-jsonl: answers out of range or unmatched are error records; a missing mapping throws", async () => {
  const recs = [{ q: "Q?", o: ["a", "b"], a: 2 }, { q: "Q?", o: ["a", "b"], a: "c" }, { q: "Q?", o: ["a", "a"], a: "a" }, { o: ["a"], a: 0 }].map((o) => JSON.stringify(o));
  const p = tmpFile("bad.jsonl", recs.join("\n"));
  const idx = await collect("generic-jsonl", p, { mapping: { question: "q", options: "o", answer: "a", answerFormat: "index0" } });
  assert.deepEqual(idx.errors.map((e) => e.error!.reason), ["answer.out-of-range", "answer.type", "answer.type", "field.missing"]);
  const txt = await collect("generic-jsonl", p, { mapping: { question: "q", options: "o", answer: "a", answerFormat: "text" } });
  assert.deepEqual(txt.errors.map((e) => e.error!.reason), ["answer.out-of-range", "answer.out-of-range", "answer.ambiguous", "field.missing"]);
  await assert.rejects(collect("generic-jsonl", p), /needs a field mapping/);
  await assert.rejects(collect("generic-jsonl", p, { mapping: { question: "q", answer: "a", answerFormat: "letter" as never } }), /answerFormat/);
  await assert.rejects(collect("generic-jsonl", p, { mapping: { question: "q", answer: "a", kind: "mcq" } }), /options is not given/);
});

test("generic-csv: header names, option columns, JSON option column, CRLF + embedded newlines, and header: false", async () => {
  const csv = 'id,question,A,B,C,correct,why\r\nr1,"Two\r\nlines?",x,y,z,B,\r\nr2,Q?,x,y,,A,because\r\n';
  const m = { id: "id", question: "question", options: ["A", "B", "C"], answer: "correct", explanation: "why" };
  const { records, items } = await collect("generic-csv", tmpFile("g.csv", csv), { mapping: m });
  assert.deepEqual(records.map((r) => r.line), [2, 4]);
  assert.deepEqual(items[0], { id: "generic-csv:r1", source: "generic-csv", kind: "mcq", question: "Two\r\nlines?", options: [{ label: "A", text: "x" }, { label: "B", text: "y" }, { label: "C", text: "z" }], answer: "B", metadata: { file: "g.csv" } });
  assert.equal(items[1].options?.length, 2);
  assert.equal(items[1].explanation, "because");
  const json = await collect("generic-csv", tmpFile("j.csv", 'q,opts,gold\nQ?,"[""a"",""b""]",1\nQ2?,plain,0\n'), { mapping: { question: "q", options: "opts", answer: "gold", answerFormat: "index1" } });
  assert.deepEqual(json.items[0].options, [{ label: "A", text: "a" }, { label: "B", text: "b" }]);
  assert.deepEqual(json.errors.map((e) => e.error!.reason), ["field.type"]);
  const noHeader = await collect("generic-csv", tmpFile("n.csv", "Q?,yes\nQ2?,It depends.\n"), { header: false, mapping: { question: "0", answer: "1" } });
  assert.deepEqual(noHeader.items.map((i) => [i.kind, i.answer, i.id]), [["yesno", "yes", "generic-csv:n.csv:1"], ["open", "It depends.", "generic-csv:n.csv:2"]]);
  const tsv = await collect("generic-csv", tmpFile("t.tsv", "q\ta\nWhy, then?\tBecause, well.\n"), { mapping: { question: "q", answer: "a" } });
  assert.deepEqual(tsv.items.map((i) => [i.question, i.answer]), [["Why, then?", "Because, well."]], ".tsv files are tab-separated");
});

test("generic-csv: unknown mapped columns throw; rows with more cells than the header are errors; an empty file yields nothing", async () => {
  await assert.rejects(collect("generic-csv", tmpFile("h.csv", "q,a\nQ?,A\n"), { mapping: { question: "question", answer: "a" } }), /has no column "question" \(columns: q, a\)/);
  const extra = await collect("generic-csv", tmpFile("x.csv", "q,a\nQ?,yes\nQ?,no,oops\n"), { mapping: { question: "q", answer: "a" } });
  assert.deepEqual(extra.records.map((r) => r.error?.reason ?? r.item!.answer), ["yes", "record.columns"]);
  assert.equal((await collect("generic-csv", tmpFile("e.csv", ""), { mapping: { question: "q", answer: "a" } })).records.length, 0);
});
