// The built-in demo set: at least 300 valid four-option MCQs over at least 10 specialties, each with an
// explanation, plus open-ended QAs; balanced answer letters; no duplicates; labelled as educational content.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { assetPath } from "../../src/core/index.ts";
import { getAdapter, cleanItem, validateItem, Deduplicator, scrubItemPhi, type QAItem } from "../../src/data/index.ts";

async function load(file: string): Promise<QAItem[]> {
  const out: QAItem[] = [];
  for await (const r of getAdapter("medtune").read(assetPath(file), {})) {
    assert.ok(r.item, `${file}:${r.line} ${r.error?.message}`);
    out.push(r.item);
  }
  return out;
}

test("demo MCQs: >= 300 valid four-option items over >= 10 specialties, each explained, letters balanced", async () => {
  const items = await load("demo/mcq.jsonl");
  assert.ok(items.length >= 300, `${items.length} MCQs`);
  const subjects = new Map<string, number>();
  const letters = new Map<string, number>();
  for (const it of items) {
    assert.equal(it.kind, "mcq");
    assert.equal(it.options?.length, 4, it.id);
    assert.equal(validateItem(it), null, it.id);
    assert.ok(it.explanation && it.explanation.length > 20, `${it.id} has an explanation`);
    subjects.set(it.subject ?? "", (subjects.get(it.subject ?? "") ?? 0) + 1);
    letters.set(it.answer, (letters.get(it.answer) ?? 0) + 1);
  }
  assert.ok(subjects.size >= 10, `${subjects.size} specialties`);
  for (const [l, n] of letters) assert.ok(n / items.length > 0.2 && n / items.length < 0.3, `letter ${l}: ${n}`);
});

test("demo open QAs exist and are valid", async () => {
  const items = await load("demo/open.jsonl");
  assert.ok(items.length >= 50, `${items.length} open QAs`);
  for (const it of items) {
    assert.equal(it.kind, "open");
    assert.equal(validateItem(it), null, it.id);
  }
});

test("the demo set needs no cleaning, has no duplicates and no PHI", async () => {
  const items = [...(await load("demo/mcq.jsonl")), ...(await load("demo/open.jsonl"))];
  const dedup = new Deduplicator({});
  for (const it of items) {
    assert.deepEqual(cleanItem(it).changed, [], it.id);
    assert.equal(dedup.check(it).status, "unique", it.id);
    assert.deepEqual(scrubItemPhi(it).counts, {}, it.id);
  }
});

test("the demo set is labelled as educational content, not clinical guidance", () => {
  const readme = readFileSync(assetPath("demo/README.md"), "utf8");
  assert.match(readme, /not clinical guidance/i);
});
