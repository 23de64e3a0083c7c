// The `data prepare` pipeline end to end: the demo set, reconciliation, determinism, a corrupted input that loses
// nothing, strict mode, contamination drop/flag, and the real sets in ../shared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepare, PrepareConfigSchema } from "../../src/recipes/index.ts";
import { MedtuneError } from "../../src/core/index.ts";
import type { QuarantineRecord } from "../../src/data/index.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { sharedPath } from "../helpers/shared.ts";

function cfg(over: Record<string, unknown>) {
  return PrepareConfigSchema.parse({ out: join(tmpDir(), "out"), ...over });
}

function readJsonl<T = Record<string, unknown>>(p: string): T[] {
  return readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as T);
}

test("the built-in demo set prepares, reconciles and writes every promised file", async () => {
  const { outDir, card } = await prepare(cfg({}), { quiet: true });
  const r = card.reconciliation;
  assert.ok(r.balanced);
  assert.ok(r.read >= 380, `demo has >= 300 MCQs + open QAs, read ${r.read}`);
  assert.equal(r.quarantined, 0, "the demo set is clean");
  for (const f of ["config.json", "data.json", "data-card.json", "data-card.md", "prompt-template.json", "quarantine.jsonl", "duplicates.jsonl",
    "dedup-clusters.jsonl", "contamination.jsonl", "train.jsonl", "validation.jsonl", "test.jsonl", "train.chat.jsonl", "train.completion.jsonl",
    "validation.chat.jsonl", "test.completion.jsonl"]) assert.ok(existsSync(join(outDir, f)), f);
  const counts = card.stages.split.counts;
  assert.equal(counts.train + counts.validation + counts.test, r.kept);
  assert.equal(readJsonl(join(outDir, "train.jsonl")).length, counts.train);
  const comp = readJsonl<{ prompt: string; completion: string }>(join(outDir, "train.completion.jsonl"));
  assert.equal(comp.length, counts.train);
  assert.match(comp.find((c) => c.prompt.includes("\nA. "))!.prompt, /^Question: [\s\S]+\nA\. [\s\S]+\nD\. [^\n]+\nAnswer:$/);
  const chat = readJsonl<{ messages: Array<{ role: string }> }>(join(outDir, "train.chat.jsonl"));
  assert.deepEqual(chat[0].messages.map((m) => m.role), ["system", "user", "assistant"]);
  assert.ok(Object.keys(card.distributions.subject).length >= 10);
  assert.equal(card.outputs.find((o) => o.path === "train.jsonl")!.records, counts.train);
  assert.match(card.outputs[0].sha256, /^[0-9a-f]{64}$/);
  assert.match(readFileSync(join(outDir, "data-card.md"), "utf8"), /balanced/);
});

test("the same seed gives byte-identical splits; another seed gives another split", async () => {
  const a = await prepare(cfg({ seed: 5 }), { quiet: true });
  const b = await prepare(cfg({ seed: 5 }), { quiet: true });
  const c = await prepare(cfg({ seed: 6 }), { quiet: true });
  const h = (card: typeof a.card, f: string) => card.outputs.find((o) => o.path === f)!.sha256;
  for (const f of ["train.jsonl", "validation.jsonl", "test.jsonl", "train.chat.jsonl"]) assert.equal(h(a.card, f), h(b.card, f), f);
  assert.notEqual(h(a.card, "test.jsonl"), h(c.card, "test.jsonl"));
});

function corruptedInput(dir: string): { path: string; empty: string } {
  const good = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify({ id: `q${i}`, question: `Question number ${i} about a distinct clinical topic ${"abcdefghij"[i % 10]} ${i * 7919}?`, options: { A: `alpha ${i}`, B: `beta ${i}`, C: `gamma ${i}`, D: `delta ${i}` }, answer_idx: "B", meta_info: "step1", ...extra });
  const lines: Buffer[] = [
    Buffer.from(good(1)),
    Buffer.from('{"id": "q2", "question": "broken json", "options": {"A": "x"'), // 2: broken JSON
    Buffer.concat([Buffer.from('{"id": "q3", "question": "bad '), Buffer.from([0xc3, 0x28]), Buffer.from('", "options": {"A": "a", "B": "b"}, "answer_idx": "A"}')]), // 3: invalid UTF-8
    Buffer.from(JSON.stringify({ id: "q4", options: { A: "a", B: "b" }, answer_idx: "A" })), // 4: missing question
    Buffer.from(good(5, { options: { A: "Aspirin", B: "aspirin ", C: "Heparin", D: "Warfarin" } })), // 5: duplicate options
    Buffer.from(good(6, { answer_idx: "F" })), // 6: answer key out of range
    Buffer.from(good(7, { question: "x".repeat(10 * 1024 * 1024) })), // 7: a 10 MB line
    Buffer.from(good(8)),
    Buffer.from(good(9, { question: "   " })), // 9: empty question
  ];
  const path = join(dir, "corrupted.jsonl");
  writeFileSync(path, Buffer.concat(lines.flatMap((l) => [l, Buffer.from("\n")])));
  const empty = join(dir, "empty.jsonl");
  writeFileSync(empty, "");
  return { path, empty };
}

test("a corrupted input gives a clear reason per record and loses nothing", async () => {
  const dir = tmpDir();
  const { path, empty } = corruptedInput(dir);
  const { outDir, card } = await prepare(cfg({ sources: [{ format: "medqa", path }, { format: "medqa", path: empty, name: "empty" }] }), { quiet: true });
  const r = card.reconciliation;
  assert.equal(r.read, 9);
  assert.equal(r.kept, 2);
  assert.equal(r.quarantined, 7);
  assert.ok(r.balanced);
  assert.deepEqual(card.perSource.empty, { read: 0, kept: 0, quarantined: 0, duplicates: 0, contaminated: 0 });
  const q = readJsonl<QuarantineRecord>(join(outDir, "quarantine.jsonl"));
  const byLine = new Map(q.map((x) => [x.line, x]));
  assert.deepEqual([...byLine.keys()].sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 9]);
  for (const x of q) {
    assert.ok(x.file.endsWith("corrupted.jsonl"), x.file);
    assert.ok(x.reason && x.message && x.field && x.stage, JSON.stringify({ ...x, raw: x.raw.slice(0, 50) }));
    assert.ok(x.raw.length > 0, `line ${x.line} keeps its raw text`);
  }
  assert.match(byLine.get(2)!.reason, /json/);
  assert.match(byLine.get(3)!.reason, /utf8/);
  assert.equal(byLine.get(4)!.field, "question");
  assert.match(byLine.get(5)!.reason, /duplicate-options/);
  assert.match(byLine.get(6)!.reason, /out-of-range/);
  assert.match(byLine.get(7)!.reason, /too-large/);
  assert.ok(byLine.get(7)!.bytes! > 10 * 1024 * 1024);
  assert.match(byLine.get(9)!.reason, /question/);
  const reasons = Object.values(card.quarantineByReason).reduce((a, b) => a + b, 0);
  assert.equal(reasons, 7);
});

test("--strict fails fast on the first bad record, naming file and line", async () => {
  const { path } = corruptedInput(tmpDir());
  await assert.rejects(prepare(cfg({ strict: true, sources: [{ format: "medqa", path }] }), { quiet: true }), (e: unknown) => {
    assert.ok(e instanceof MedtuneError);
    assert.match(e.oneLine(), /corrupted\.jsonl:2/);
    return true;
  });
});

test("training items that copy an evaluation item are dropped, or kept and flagged", async () => {
  const dir = tmpDir();
  const stem = "A 45-year-old woman presents with fatigue, weight gain, cold intolerance and constipation for six months; her TSH is markedly elevated and free T4 is low. Which medication is the most appropriate treatment?";
  const evalPath = join(dir, "eval.jsonl");
  writeFileSync(evalPath, JSON.stringify({ id: "e1", question: stem, options: { A: "Levothyroxine", B: "Methimazole", C: "Propranolol", D: "Liothyronine" }, answer_idx: "A" }) + "\n");
  const trainPath = join(dir, "train.jsonl");
  const lines = [
    { id: "t1", question: `Case: ${stem}`, options: { A: "Levothyroxine", B: "Methimazole", C: "Propranolol", D: "Liothyronine" }, answer_idx: "A" },
    { id: "t2", question: "Which vitamin deficiency causes scurvy in sailors on long voyages without fresh fruit?", options: { A: "Vitamin C", B: "Vitamin D", C: "Vitamin B1", D: "Vitamin A" }, answer_idx: "A" },
  ];
  writeFileSync(trainPath, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  const dropped = await prepare(cfg({ sources: [{ format: "medqa", path: trainPath }], eval: [{ format: "medqa", path: evalPath }] }), { quiet: true });
  assert.equal(dropped.card.reconciliation.contaminated, 1);
  assert.equal(dropped.card.reconciliation.kept, 1);
  const hit = readJsonl<{ id: string; evalId: string; item?: unknown }>(join(dropped.outDir, "contamination.jsonl"));
  assert.equal(hit[0].id, "medqa:t1");
  assert.equal(hit[0].evalId, "medqa:e1");
  assert.ok(hit[0].item, "the dropped item is kept in contamination.jsonl");
  const flagged = await prepare(cfg({ sources: [{ format: "medqa", path: trainPath }], eval: [{ format: "medqa", path: evalPath }], contamination: { action: "flag" } }), { quiet: true });
  assert.equal(flagged.card.reconciliation.kept, 2);
  assert.equal(flagged.card.reconciliation.flagged, 1);
  const all = ["train", "validation", "test"].flatMap((s) => readJsonl<{ id: string; metadata: Record<string, unknown> }>(join(flagged.outDir, `${s}.jsonl`)));
  assert.ok(all.find((x) => x.id === "medqa:t1")!.metadata.contamination);
});

test("the real sets in ../shared prepare with reconciled counts per source", async (t) => {
  const medqa = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  const pubmedqa = sharedPath(t, "data/pubmedqa/ori_pqal.json");
  const medmcqa = sharedPath(t, "data/medmcqa/dev_shared_half.jsonl");
  const mmlu = sharedPath(t, "data/mmlu_medical/val");
  if (!medqa || !pubmedqa || !medmcqa || !mmlu) return;
  const { card } = await prepare(cfg({ sources: [{ format: "medqa", path: medqa }, { format: "pubmedqa", path: pubmedqa }, { format: "medmcqa", path: medmcqa }], eval: [{ format: "mmlu", path: mmlu }] }), { quiet: true });
  assert.ok(card.reconciliation.balanced);
  assert.equal(card.perSource.medqa.read, 260);
  assert.equal(card.perSource.pubmedqa.read, 1000);
  assert.equal(card.perSource.medmcqa.read, 2060);
  console.log(`real sets: ${JSON.stringify(card.perSource)}; quarantine reasons ${JSON.stringify(card.quarantineByReason)}; PHI ${JSON.stringify(card.stages.phi.byType)}; contamination hits ${card.stages.contamination.hits}`);
});

test("PHI options in the config reach the scrubber (urls: all replaces a reference URL the default keeps)", async () => {
  const dir = tmpDir();
  const p = join(dir, "open.jsonl");
  writeFileSync(p, JSON.stringify({ id: "u1", source: "t", kind: "open", question: "Where can I read about asthma?", answer: "See https://www.nhlbi.nih.gov/health/asthma for an overview.", metadata: {} }) + "\n");
  const read = async (phi: Record<string, unknown>) => {
    const { outDir } = await prepare(cfg({ sources: [{ format: "medtune", path: p }], phi, split: { train: 1, validation: 0, test: 0 } }), { quiet: true });
    return readJsonl<{ answer: string }>(join(outDir, "train.jsonl"))[0].answer;
  };
  assert.match(await read({}), /nhlbi\.nih\.gov/);
  assert.match(await read({ urls: "all" }), /\[URL\]/);
});

test("an item the PHI scrub makes invalid is quarantined at stage phi, before dedup, and counts still reconcile", async () => {
  const dir = tmpDir();
  const p = join(dir, "phones.jsonl");
  const rec = (id: string, a: string, b: string) => JSON.stringify({ id, question: `Which number should the patient in case ${id} call for the clinic?`, options: { A: a, B: b, C: "The emergency room", D: "No one" }, answer_idx: "A", meta_info: "step1" });
  // 1: options A and B both become "Call [PHONE]"; 2: distinct after the scrub; 3: an exact copy of 1 (not a duplicate of a quarantined item)
  writeFileSync(p, [rec("p1", "Call 617-555-0134", "Call 617-555-0199"), rec("p2", "Call 617-555-0134", "Write a letter"), rec("p1", "Call 617-555-0134", "Call 617-555-0199")].join("\n") + "\n");
  for (const workers of [1, 2]) {
    const { outDir, card } = await prepare(cfg({ sources: [{ format: "medqa", path: p }] }), { quiet: true, workers });
    assert.ok(card.reconciliation.balanced);
    assert.equal(card.reconciliation.read, 3);
    assert.equal(card.reconciliation.quarantined, 2, `workers ${workers}`);
    assert.equal(card.reconciliation.duplicates, 0);
    assert.equal(card.stages.phi.rejected, 2);
    assert.deepEqual(card.stages.phi.rejectedByReason, { "phi.mcq.duplicate-options": 2 });
    const q = readJsonl<QuarantineRecord>(join(outDir, "quarantine.jsonl"));
    assert.deepEqual(q.map((r) => [r.stage, r.reason, r.field, r.line]), [["phi", "phi.mcq.duplicate-options", "options.B", 1], ["phi", "phi.mcq.duplicate-options", "options.B", 3]]);
    assert.match(q[0].message, /after the PHI scrub \(options\.A, options\.B changed\): Options A and B are both "Call \[PHONE\]"/);
    assert.match(q[0].raw, /617-555-0199/, "the quarantine keeps the original record, so nothing is lost");
    assert.equal(card.stages.phi.itemsWithPhi, 1, "only the kept item counts towards the PHI totals");
  }
});

test("phi.referenceYear is fixed at run time and saved in config.json and the data card, so a rerun scrubs alike", async () => {
  const year = new Date().getUTCFullYear();
  const unset = await prepare(cfg({}), { quiet: true });
  assert.equal(JSON.parse(readFileSync(join(unset.outDir, "config.json"), "utf8")).phi.referenceYear, year);
  assert.equal(unset.card.stages.phi.referenceYear, year);
  const set = await prepare(cfg({ phi: { referenceYear: 2030 } }), { quiet: true });
  assert.equal(JSON.parse(readFileSync(join(set.outDir, "config.json"), "utf8")).phi.referenceYear, 2030);
  // the saved config, run again, gives the same outputs
  const saved = JSON.parse(readFileSync(join(unset.outDir, "config.json"), "utf8"));
  const again = await prepare(cfg({ ...saved, out: join(tmpDir(), "again") }), { quiet: true });
  const h = (c: typeof again.card) => c.outputs.find((o) => o.path === "train.jsonl")!.sha256;
  assert.equal(h(again.card), h(unset.card));
});
