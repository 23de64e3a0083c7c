// `data prepare` with worker threads: the outputs and the data card are byte-identical to a one-thread run (batches
// staged by several threads, applied in input order), over sources that exercise every path (broken and invalid
// records, exact and near duplicates, PHI, HTML, contamination drop and flag); errors keep their meaning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prepare } from "../../src/recipes/prepare.ts";
import { PrepareConfigSchema } from "../../src/recipes/prepare-config.ts";
import { BATCH_RECORDS } from "../../src/recipes/prepare-worker.ts";
import { MedtuneError, Rng } from "../../src/core/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

const WORDS = "fever cough dyspnea chest pain fatigue nausea liver kidney heart lung metformin warfarin heparin aspirin elevated decreased sodium potassium creatinine troponin".split(" ");

/** A MedQA-style source with broken lines, invalid records, duplicates, PHI, HTML and copies of eval stems; and the eval set. */
function sources(dir: string, n: number): { train: string; evalPath: string; stems: string[] } {
  const rng = new Rng(11);
  const words = (k: number) => Array.from({ length: k }, () => WORDS[rng.int(WORDS.length)]).join(" ");
  const stems = Array.from({ length: 6 }, (_, i) => `Eval stem ${i}: a ${30 + i}-year-old presents with ${words(25)}. What is the diagnosis?`);
  const lines: string[] = [];
  let prev = "";
  for (let i = 0; i < n; i++) {
    let q = `Case ${i}: a ${20 + rng.int(60)}-year-old with ${words(20 + rng.int(20))}. What next?`;
    if (i % 37 === 5) q = prev; // exact duplicate of the previous question (same options below only sometimes)
    else if (i % 41 === 7) q = prev.replace(/next\?$/, "then?"); // near duplicate
    else if (i % 53 === 9) q = `Seen by Dr. Alvarez on 03/14/2019, phone 555-201-7788: ${q}`; // PHI
    else if (i % 61 === 3) q = `<p>${q} &amp; <b>why</b>?</p>`; // HTML to clean
    else if (i % 97 === 11) q = `Copied: ${stems[rng.int(stems.length)]}`; // contamination
    prev = q;
    const options: Record<string, string> = { A: words(3), B: words(3), C: words(3), D: words(3) };
    if (i % 83 === 13) options.B = options.A; // invalid: duplicate options
    const rec = { id: `t${i}`, question: q, options, answer_idx: i % 71 === 17 ? "F" : "ABCD"[rng.int(4)], meta_info: "step1" };
    lines.push(i % 89 === 19 ? '{"id": "broken", "question": ' : JSON.stringify(rec));
  }
  const train = join(dir, "train.jsonl");
  writeFileSync(train, lines.join("\n") + "\n");
  const evalPath = join(dir, "eval.jsonl");
  writeFileSync(evalPath, stems.map((q, i) => JSON.stringify({ id: `e${i}`, question: q, options: { A: "x", B: "y", C: "z", D: "w" }, answer_idx: "A" })).join("\n") + "\n");
  return { train, evalPath, stems };
}

function config(dir: string, out: string, over: Record<string, unknown> = {}) {
  const { train, evalPath } = sources(dir, 6 * BATCH_RECORDS + 17);
  const openPath = join(dir, "open.jsonl");
  writeFileSync(openPath, Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: `o${i}`, question: `Open question ${i % 250} about dosing?`, answer: `Answer ${i % 250}: take it with food.` })).join("\n") + "\n");
  return PrepareConfigSchema.parse({
    out, eval: [{ format: "medqa", path: evalPath }],
    sources: [{ format: "medqa", path: train }, { format: "medtune", path: openPath, name: "open" }, { format: "medqa", path: train, name: "again" }],
    ...over,
  });
}

for (const action of ["drop", "flag"] as const) {
  test(`threads give byte-identical outputs and data card (contamination ${action})`, async () => {
    const dir = tmpDir();
    const one = await prepare(config(dir, join(dir, "one"), { contamination: { action } }), { quiet: true, workers: 1 });
    const three = await prepare(config(dir, join(dir, "three"), { contamination: { action } }), { quiet: true, workers: 3 });
    assert.equal(one.threads, 1);
    assert.ok(three.threads >= 2, `worker threads staged batches (threads ${three.threads})`);
    const r = one.card.reconciliation;
    assert.ok(r.balanced);
    assert.ok(r.quarantined > 0 && r.duplicates > 0 && r.kept > 0, JSON.stringify(r));
    assert.ok(one.card.stages.phi.replacements > 0 && one.card.stages.clean.itemsChanged > 0 && one.card.stages.contamination.hits > 0);
    if (action === "flag") assert.ok(r.flagged > 0);
    else assert.ok(r.contaminated > 0);
    const strip = (c: typeof one.card) => JSON.stringify({ ...c, createdAt: "" });
    assert.equal(strip(three.card), strip(one.card));
    for (const o of one.card.outputs) assert.ok(/^[0-9a-f]{64}$/.test(o.sha256), o.path);
  });
}

test("with threads, strict mode stops at the same record with the same message", async () => {
  const dir = tmpDir();
  const messages: string[] = [];
  for (const workers of [1, 2]) {
    await assert.rejects(prepare(config(dir, join(dir, `s${workers}`), { strict: true }), { quiet: true, workers }), (e: unknown) => {
      assert.ok(e instanceof MedtuneError);
      messages.push(e.oneLine());
      return true;
    });
  }
  assert.equal(messages[1], messages[0]);
  assert.match(messages[0], /train\.jsonl:\d+/);
});

test("with threads, a source that cannot be read fails with the adapter's error after the earlier sources", async () => {
  const dir = tmpDir();
  const folder = join(dir, "not-a-file");
  mkdirSync(folder);
  const base = config(dir, join(dir, "x"));
  for (const workers of [1, 2]) {
    const c = { ...base, out: join(dir, `e${workers}`), sources: [...base.sources, { format: "medqa", path: folder }] };
    await assert.rejects(prepare(c, { quiet: true, workers }), (e: unknown) => e instanceof MedtuneError && e.code === "data.not-a-file");
  }
});
