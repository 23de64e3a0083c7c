// The validator (src/data/validate.ts): golden reasons and fields for one case per reason code plus valid items
// of every kind, the REASONS table covering every code, and messages that say what is wrong and what to do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateItem, REASONS } from "../../src/data/validate.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/validate");

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

const cases = readJsonl<{ case: string; item: unknown }>(join(FIXTURES, "cases.jsonl"));
const expected = readJsonl<{ case: string; reason: string | null; field: string | null }>(join(FIXTURES, "expected-reasons.jsonl"));

test("golden: every case gives its expected reason and field (null for valid items)", () => {
  assert.deepEqual(expected.map((e) => e.case), cases.map((c) => c.case), "expected-reasons.jsonl lists the cases in order");
  for (let i = 0; i < cases.length; i++) {
    const p = validateItem(cases[i].item);
    const got = { case: cases[i].case, reason: p?.reason ?? null, field: p?.field ?? null };
    assert.deepEqual(got, expected[i], `case ${cases[i].case}: ${p?.message ?? "no problem"}`);
  }
});

test("valid items of each kind pass, and every kind has a valid case", () => {
  const kinds = new Set<string>();
  for (let i = 0; i < cases.length; i++) {
    if (expected[i].reason !== null) continue;
    kinds.add((cases[i].item as { kind: string }).kind);
  }
  assert.deepEqual([...kinds].sort(), ["mcq", "open", "yesno"]);
});

test("REASONS lists every code the validator returns, and the fixtures exercise every code in REASONS", () => {
  const returned = new Set<string>();
  for (const c of cases) {
    const p = validateItem(c.item);
    if (p) returned.add(p.reason);
  }
  for (const r of returned) assert.ok(r in REASONS, `reason ${r} is missing from REASONS`);
  for (const r of Object.keys(REASONS)) assert.ok(returned.has(r), `no fixture case produces ${r}`);
  for (const [code, description] of Object.entries(REASONS)) {
    assert.match(code, /^[a-z]+\.[a-z-]+$/, "reason codes are area.kebab-case");
    assert.match(description, /^[A-Z].*\.$/, `${code}: one-line description`);
  }
});

test("messages are one sentence that quotes the value and says what to do", () => {
  for (const c of cases) {
    const p = validateItem(c.item);
    if (!p) continue;
    assert.doesNotMatch(p.message, /\n/, `${c.case}: one line`);
    assert.match(p.message, /^[A-Z].*\.$/, `${c.case}: a sentence: ${p.message}`);
    assert.match(p.message, /;|, so |set |fix |give |write |use |add |drop |map /, `${c.case}: says what to do: ${p.message}`);
  }
  const msg = (name: string) => validateItem(cases.find((c) => c.case === name)!.item)!.message;
  assert.match(msg("mcq-answer-not-an-option"), /"E".*one of A, B, C, D/);
  assert.match(msg("mcq-answer-lower-case"), /case-sensitive.*"A"/);
  assert.match(msg("mcq-answer-is-option-text"), /option A.*"A"/);
  assert.match(msg("yesno-upper-case"), /"yes", in lower case/);
  assert.match(msg("mcq-duplicate-options"), /Options A and C/);
  assert.match(msg("kind-unknown"), /"multiple-choice".*mcq, yesno, open/);
});

test("long offending values are quoted briefly", () => {
  const long = "x".repeat(5000);
  const p = validateItem({ id: "l", source: "s", kind: "mcq", question: "Q?", answer: long, metadata: {}, options: [{ label: "A", text: "a" }, { label: "B", text: "b" }] });
  assert.equal(p?.reason, "mcq.answer-not-an-option");
  assert.ok(p!.message.length < 300, `message is ${p!.message.length} characters`);
});

test("odd inputs give a schema problem, never a throw", () => {
  for (const v of [null, undefined, 42, "text", [], { id: 1 }, { id: "a", kind: "open", metadata: null }, { id: "a", kind: "mcq", options: "A,B" }]) {
    const p = validateItem(v);
    assert.ok(p, `${JSON.stringify(v)} is rejected`);
    assert.ok(p.reason in REASONS);
  }
});

test("the shortcut past zod never accepts what the schema rejects, nor rejects what it accepts", async () => {
  const { QAItemSchema } = await import("../../src/data/schema.ts");
  const base = () => ({ id: "x:1", source: "x", kind: "mcq", question: "Q?", options: [{ label: "A", text: "a" }, { label: "B", text: "b" }], answer: "A", metadata: {} as unknown });
  const odd: Array<[string, Record<string, unknown>]> = [
    ["plain", base()],
    ["metadata without prototype", { ...base(), metadata: Object.create(null) }],
    ["metadata with an own constructor object", { ...base(), metadata: { constructor: { a: 1 } } }],
    ["metadata with an own constructor string", { ...base(), metadata: { constructor: "x" } }],
    ["metadata with a symbol key", { ...base(), metadata: { [Symbol("s")]: 1 } }],
    ["metadata is an array", { ...base(), metadata: [] }],
    ["option with an extra key", { ...base(), options: [{ label: "A", text: "a", x: 1 }, { label: "B", text: "b" }] }],
    ["option inheriting a key", { ...base(), options: [Object.assign(Object.create({ extra: 1 }), { label: "A", text: "a" }), { label: "B", text: "b" }] }],
    ["sparse options", { ...base(), options: [{ label: "A", text: "a" }, , { label: "B", text: "b" }] }],
    ["String object question", { ...base(), question: new String("Q?") }],
    ["context with a number", { ...base(), context: ["a", 1] }],
    ["explicit undefined optional field", { ...base(), explanation: undefined }],
    ["raw with a nested object", { ...base(), raw: { question: "Q?", options: [{ label: "A", text: "a" }] } }],
    ["unknown key", { ...base(), extra: true }],
    ["class instance", Object.assign(new (class Item {})(), base())],
  ];
  for (const [name, item] of odd) {
    const zodAccepts = QAItemSchema.safeParse(item).success;
    const p = validateItem(item);
    assert.equal(p?.reason === "schema.invalid", !zodAccepts, `${name}: ${JSON.stringify(p)}`);
  }
});
