// Alpaca adapter: JSONL and JSON-array files, input as context only when not blank, missing fields as errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { collect, tmpFile } from "./collect.ts";

const recs = [
  { instruction: "Name a vitamin.", input: "", output: "Vitamin C." },
  { instruction: "Summarise the note.", input: "Patient reports mild headache.", output: "Mild headache." },
  { instruction: "No output here.", input: "" },
];

test("alpaca: JSONL and a JSON array give the same items; blank input is no context", async () => {
  const jsonl = await collect("alpaca", tmpFile("data.jsonl", recs.map((r) => JSON.stringify(r)).join("\n")));
  const array = await collect("alpaca", tmpFile("data.json", JSON.stringify(recs, null, 2)));
  for (const { items, errors } of [jsonl, array]) {
    assert.equal(items.length, 2);
    assert.deepEqual(items[0], { id: items[0].id, source: "alpaca", kind: "open", question: "Name a vitamin.", answer: "Vitamin C.", metadata: items[0].metadata });
    assert.deepEqual(items[1].context, ["Patient reports mild headache."]);
    assert.deepEqual(errors.map((e) => [e.line, e.error!.field, e.error!.reason]), [[3, "output", "field.missing"]]);
  }
  assert.equal(jsonl.items[0].id, "alpaca:data.jsonl:1");
  assert.equal(array.items[1].id, "alpaca:data.json:2");
});

test("alpaca: a JSON array with a broken element keeps reading the others", async () => {
  const { records } = await collect("alpaca", tmpFile("a.json", '[{"instruction": "a", "output": "b"}, {"instruction": , "output": "x"}, {"instruction": "c", "output": "d", "id": 7}]'));
  assert.deepEqual(records.map((r) => r.error?.reason ?? r.item!.id), ["alpaca:a.json:1", "json.parse", "alpaca:7"]);
});
