// Deduplication: normalization for exact duplicates, near duplicates found and distinct items (template
// questions, same stem with other options) kept, first-seen kept and clusters recorded, threshold and seed
// behaviour, and runs over MedMCQA dev and MedQuAD from ../shared with their counts printed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Rng, MedtuneError } from "../../src/core/index.ts";
import type { QAItem } from "../../src/data/schema.ts";
import { Deduplicator, dedupFields, dedupText, type DedupResult } from "../../src/data/dedup.ts";
import { normalizeText, WordHashes, ItemWords } from "../../src/data/text-norm.ts";
import { sharedPath } from "../helpers/shared.ts";

function mcq(id: string, question: string, options: string[], answer = "A", context?: string[]): QAItem {
  return { id, source: "test", kind: "mcq", question, options: options.map((text, i) => ({ label: "ABCDEFGHIJ"[i], text })), answer, context, metadata: {} };
}

function open(id: string, question: string, answer: string): QAItem {
  return { id, source: "test", kind: "open", question, answer, metadata: {} };
}

/** Exact Jaccard of word k-shingle sets of two normalized texts (the quantity MinHash estimates). */
function jaccard(a: string, b: string, k = 3): number {
  const sh = (t: string) => {
    const w = normalizeText(t).split(" ").filter(Boolean);
    const kk = Math.min(k, w.length);
    const s = new Set<string>();
    for (let i = 0; i + kk <= w.length; i++) s.add(w.slice(i, i + kk).join(" "));
    return s;
  };
  const sa = sh(a);
  const sb = sh(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

const VOCAB = (
  "patient fever cough chest pain dyspnea abdominal tenderness jaundice hepatomegaly splenomegaly murmur edema rash " +
  "headache seizure confusion weakness numbness tremor syncope palpitations hypertension hypotension tachycardia " +
  "bradycardia leukocytosis anemia thrombocytopenia creatinine sodium potassium bilirubin albumin glucose insulin " +
  "metformin warfarin heparin aspirin amoxicillin vancomycin ceftriaxone prednisone methotrexate lithium digoxin " +
  "liver kidney lung heart spleen pancreas thyroid adrenal brain colon stomach bladder retina skin bone marrow " +
  "biopsy shows reveals increased decreased chronic acute history examination treatment diagnosis mechanism " +
  "smoker alcohol diabetes asthma pregnancy infant elderly woman man child nurse emergency clinic ward surgery"
).split(" ");

/** A 40-word pseudo-vignette stem and four 2-word options (seeded). */
function randomMcq(rng: Rng, id: string): QAItem {
  const stem: string[] = [];
  for (let i = 0; i < 40; i++) stem.push(VOCAB[rng.int(VOCAB.length)]);
  const opts: string[] = [];
  for (let i = 0; i < 4; i++) opts.push(`${VOCAB[rng.int(VOCAB.length)]} ${VOCAB[rng.int(VOCAB.length)]}`);
  return mcq(id, stem.join(" ") + "?", opts);
}

function changeOneWord(item: QAItem, rng: Rng, id: string): QAItem {
  const words = item.question.split(" ");
  const at = 5 + rng.int(30);
  let w = VOCAB[rng.int(VOCAB.length)];
  while (w === words[at]) w = VOCAB[rng.int(VOCAB.length)];
  words[at] = w;
  return { ...item, id, question: words.join(" ") };
}

test("normalizeText: NFKC, lower case, apostrophes dropped, punctuation folded, whitespace collapsed", () => {
  assert.equal(normalizeText("What is (are) Glaucoma ?"), "what is are glaucoma");
  assert.equal(normalizeText("  The patient’s  BP:\t140/90 mm Hg;\nHR 88/min. "), "the patients bp 140 90 mm hg hr 88 min");
  assert.equal(normalizeText("ﬁbrosis in ＣＯＰＤ"), "fibrosis in copd"); // ligature and full-width forms (NFKC)
  assert.equal(normalizeText("Na+ 140 mEq/L — K+ 4.5"), "na 140 meq l k 4 5");
  assert.equal(normalizeText("Café-au-lait spots"), "café au lait spots");
  assert.equal(normalizeText("patients' rights, don't"), "patients rights dont");
  assert.equal(normalizeText("...!?"), "");
});

test("exact hash: equal for equal normalized text, different otherwise; word offsets point into the source", () => {
  const w = new WordHashes();
  const h = (t: string) => {
    w.fill(t);
    return `${w.exactLo}:${w.exactHi}`;
  };
  assert.equal(h("Which drug is first-line for absence seizures?"), h("WHICH drug is first line   for absence seizures"));
  assert.notEqual(h("Which drug is first-line for absence seizures?"), h("Which drug is first-line for absence seizure?"));
  assert.notEqual(h("ab c"), h("a bc"));
  // parts: the boundary counts, an empty part does not
  assert.notEqual(w.fill("a b").append("c").exactLo, w.fill("a").append("b c").exactLo);
  assert.equal(w.fill("a b").append(" ... ").exactHi, w.fill("a b").exactHi);
  w.fill("The Patient’s BP").append("Héllo, WORLD");
  assert.equal(w.length, 5);
  assert.equal(w.text(), "the patients bp héllo world");
  assert.equal(w.text(3, 5), "héllo world");
});

test("exact duplicates after case, whitespace and punctuation changes; the first item is kept", () => {
  const d = new Deduplicator();
  const q = "A 34-year-old woman presents with fatigue and pallor. Hemoglobin is 8.1 g/dL. What is the most likely cause?";
  const opts = ["Iron deficiency", "Vitamin B12 deficiency", "Thalassemia trait", "Anemia of chronic disease"];
  assert.deepEqual(d.check(mcq("a", q, opts)), { status: "unique" });
  const variants = [
    q.toUpperCase(),
    q.replace(/ /g, "   ").replace(/\./g, " .\n"),
    q.replace(/[?,]/g, "").replace("34-year-old", "34 year old").replace(". ", " ; "),
  ];
  variants.forEach((v, i) => assert.deepEqual(d.check(mcq(`dup${i}`, v, opts)), { status: "exact", of: "a", similarity: 1 }));
  // shuffled options and another gold label are the same item
  assert.deepEqual(d.check(mcq("shuffled", q, [opts[2], opts[0], opts[3], opts[1]], "C")), { status: "exact", of: "a", similarity: 1 });
  const st = d.stats();
  assert.deepEqual([st.seen, st.unique, st.exact, st.near], [5, 1, 4, 0]);
});

test("near duplicates: one word changed in a 40-word stem is found against the right original", () => {
  const rng = new Rng(42);
  const d = new Deduplicator();
  const originals: QAItem[] = [];
  for (let i = 0; i < 300; i++) {
    const it = randomMcq(rng, `orig-${i}`);
    originals.push(it);
    assert.equal(d.check(it).status, "unique", `random item ${i} should be unique`);
  }
  let found = 0;
  const pairs = 40;
  for (let i = 0; i < pairs; i++) {
    const orig = originals[i * 7];
    const copy = changeOneWord(orig, rng, `copy-${i}`);
    const j = jaccard(dedupText(orig), dedupText(copy));
    assert.ok(j > 0.8 && j < 1, `construction: true J ${j}`);
    const r = d.check(copy);
    if (r.status === "near") {
      found++;
      assert.equal(r.of, orig.id);
      assert.ok(r.similarity >= 0.8 && r.similarity <= 1);
    } else assert.equal(r.status, "unique");
  }
  console.log(`one-word edits of 40-word stems (true J ≈ 0.88): ${found}/${pairs} found`);
  assert.ok(found >= 0.8 * pairs, `recall ${found}/${pairs} below 0.8`);
});

test("distinct items are kept: same stem with other options, template questions about other conditions", () => {
  const d = new Deduplicator();
  const stem =
    "A 58-year-old man with a long history of smoking presents with hemoptysis, weight loss and hypercalcemia. Chest radiograph shows a central hilar mass. Biopsy of the mass is most likely to show which of the following?";
  assert.equal(d.check(mcq("s1", stem, ["Squamous cell carcinoma", "Small cell carcinoma", "Adenocarcinoma", "Large cell carcinoma"])).status, "unique");
  // same stem, a different set of options: a different question
  assert.equal(d.check(mcq("s2", stem, ["Keratin pearls", "Neuroendocrine granules", "Mucin vacuoles", "Psammoma bodies"])).status, "unique");
  // MedQuAD-style template questions: the condition X decides, even with a shared boilerplate answer
  const boiler =
    "New types of treatment are being tested in clinical trials. Information about clinical trials is available from the NCI website. Patients may want to think about taking part in a clinical trial.";
  assert.equal(d.check(open("q1", "What is (are) Glaucoma ?", "Glaucoma is a group of diseases that damage the optic nerve.")).status, "unique");
  assert.equal(d.check(open("q2", "What is (are) Cataract ?", "A cataract is a clouding of the lens in the eye.")).status, "unique");
  assert.equal(d.check(open("q3", "what research (or clinical trials) is being done for Hairy Cell Leukemia ?", boiler)).status, "unique");
  assert.equal(d.check(open("q4", "what research (or clinical trials) is being done for Retinoblastoma ?", boiler)).status, "unique");
  // short template MCQs differing only in the condition, with the same options
  const drugs = ["Penicillin", "Doxycycline", "Ceftriaxone", "Azithromycin"];
  assert.equal(d.check(mcq("t1", "Drug of choice for primary syphilis is", drugs)).status, "unique");
  assert.equal(d.check(mcq("t2", "Drug of choice for gonorrhea is", drugs)).status, "unique");
  // the same question twice with near-identical answers is a duplicate
  const answer =
    "Open-angle glaucoma is a group of diseases that damage the optic nerve and can result in vision loss and blindness. It develops slowly, often without symptoms, and is found through a comprehensive dilated eye exam; early treatment with eye drops can slow its progress.";
  assert.equal(d.check(open("g1", "What is (are) Open-angle glaucoma ?", answer)).status, "unique");
  const r = d.check(open("g2", "what is (are) open angle glaucoma?", answer.replace("slowly", "gradually")));
  assert.equal(r.status, "near");
  assert.equal((r as Extract<DedupResult, { of: string }>).of, "g1");
});

test("clusters: representative -> members with kind and similarity, in arrival order", () => {
  const rng = new Rng(7);
  const d = new Deduplicator();
  const a = randomMcq(rng, "A");
  const b = randomMcq(rng, "B");
  d.check(a);
  d.check(b);
  d.check({ ...b, id: "B-exact", question: b.question.toUpperCase() });
  d.check({ ...a, id: "A-exact", question: a.question + "!!" });
  d.check(changeOneWord(b, rng, "B-near"));
  const cl = d.clusters();
  assert.deepEqual(
    cl.map((c) => [c.representative, c.members.map((m) => `${m.id}:${m.kind}`)]),
    [
      ["A", ["A-exact:exact"]],
      ["B", ["B-exact:exact", "B-near:near"]],
    ],
  );
  assert.equal(cl[1].members[0].similarity, 1);
  assert.ok(cl[1].members[1].similarity >= 0.8 && cl[1].members[1].similarity < 1);
});

test("threshold is configurable: a J ≈ 0.65 rewrite is kept at 0.8 and merged at 0.5; 0.99 keeps one-word edits", () => {
  const base =
    "A 25-year-old woman presents with palpitations, heat intolerance, weight loss and a diffuse goiter with a bruit. TSH is suppressed and free T4 is elevated. Which of the following is the most likely diagnosis?";
  const edited = base.replace("palpitations", "tremor").replace("diffuse", "smooth").replace("elevated", "high");
  const opts = ["Graves disease", "Toxic multinodular goiter", "Subacute thyroiditis", "Toxic adenoma"];
  const j = jaccard(dedupText(mcq("x", base, opts)), dedupText(mcq("y", edited, opts)));
  console.log(`three-word rewrite: true J = ${j.toFixed(3)}`);
  assert.ok(j > 0.6 && j < 0.8);
  const strict = new Deduplicator({ threshold: 0.8 });
  strict.check(mcq("x", base, opts));
  assert.equal(strict.check(mcq("y", edited, opts)).status, "unique");
  const loose = new Deduplicator({ threshold: 0.5 });
  loose.check(mcq("x", base, opts));
  assert.equal(loose.check(mcq("y", edited, opts)).status, "near");
  const oneWord = base.replace("palpitations", "tremor");
  const veryStrict = new Deduplicator({ threshold: 0.99 });
  veryStrict.check(mcq("x", base, opts));
  assert.equal(veryStrict.check(mcq("y", oneWord, opts)).status, "unique");
  assert.equal(veryStrict.check(mcq("z", base.toLowerCase(), opts)).status, "exact");
  assert.ok(veryStrict.bands * veryStrict.rows <= 64 && strict.bands !== loose.bands, "banding follows the threshold");
});

test("deterministic: same input order and seed give the same results and clusters", () => {
  const run = (seed: number) => {
    const rng = new Rng(11);
    const d = new Deduplicator({ seed });
    const items: QAItem[] = [];
    for (let i = 0; i < 200; i++) items.push(randomMcq(rng, `i${i}`));
    for (let i = 0; i < 60; i++) items.push(changeOneWord(items[rng.int(200)], rng, `e${i}`));
    const results = items.map((it) => JSON.stringify(d.check(it)));
    return { results, clusters: JSON.stringify(d.clusters()) };
  };
  const a = run(5);
  const b = run(5);
  assert.deepEqual(a.results, b.results);
  assert.equal(a.clusters, b.clusters);
  assert.ok(JSON.parse(a.clusters).length > 40, "the edits form clusters");
});

test("exact-only mode, empty texts, fields and option errors", () => {
  const d = new Deduplicator({ near: false });
  const rng = new Rng(3);
  const a = randomMcq(rng, "a");
  d.check(a);
  assert.equal(d.check(changeOneWord(a, rng, "b")).status, "unique");
  assert.equal(d.check({ ...a, id: "c" }).status, "exact");
  const e = new Deduplicator();
  assert.equal(e.check(open("e1", "", "")).status, "unique");
  assert.deepEqual(e.check(open("e2", "?!", " ")), { status: "exact", of: "e1", similarity: 1 });
  // fields: open items carry their answer as payload, yes/no items their context, MCQs sorted options
  assert.deepEqual(dedupFields(open("o", "Q?", "Ans.")), { prompt: "Q?", payload: "Ans." });
  const yn: QAItem = { id: "y", source: "t", kind: "yesno", question: "Does X cause Y?", answer: "yes", context: ["Abstract one.", "Abstract two."], metadata: {} };
  assert.deepEqual(dedupFields(yn), { prompt: "Does X cause Y?", payload: "Abstract one.\nAbstract two." });
  assert.deepEqual(dedupFields(mcq("m", "Q", ["b", "A", "c"])), { prompt: "Q\nA\nb\nc", payload: "" });
  assert.throws(() => new Deduplicator({ threshold: 1.5 }), (err: unknown) => err instanceof MedtuneError && err.where === "dedup.threshold");
  assert.throws(() => new Deduplicator({ numPerm: 50 }), /multiple of 16/);
});

test("many items: tables grow past their presize and ids survive (front-coded, packed UUIDs, unicode)", () => {
  const d = new Deduplicator({ expectedItems: 10 });
  const rng = new Rng(21);
  const items: QAItem[] = [];
  const oddIds = ["CE49098B-CC48-4168-859E-936E3E0C7459", "ce49098b-cc48-4168-859e-936e3e0c745g", "ce49098b_cc48-4168-859e-936e3e0c7459", "", "x".repeat(300)];
  const idOf = (i: number) => (i < oddIds.length ? oddIds[i] || "empty-looking" : i % 3 === 0 ? `medqa-train-${String(i).padStart(6, "0")}` : i % 3 === 1 ? `ид-${i}-é` : crypto.randomUUID());
  for (let i = 0; i < 3000; i++) items.push(randomMcq(rng, idOf(i)));
  for (const it of items) assert.equal(d.check(it).status, "unique");
  for (let i = 0; i < 3000; i += i < 10 ? 1 : 97) {
    const r = d.check({ ...items[i], id: `again-${i}` });
    assert.deepEqual(r, { status: "exact", of: items[i].id, similarity: 1 });
  }
  assert.ok(d.stats().memoryBytes > 0);
});

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("MedMCQA dev (shared half): dedup counts, and every near pair found is a real near copy", (t) => {
  const path = sharedPath(t, "data/medmcqa/dev_shared_half.jsonl");
  if (!path) return;
  const rows = readJsonl(path);
  const d = new Deduplicator();
  const items = new Map<string, QAItem>();
  for (const r of rows) {
    const it = mcq(String(r.id), String(r.question), [r.opa, r.opb, r.opc, r.opd].map(String), "ABCD"[Number(r.cop)]);
    items.set(it.id, it);
    d.check(it);
  }
  const st = d.stats();
  console.log(`MedMCQA dev half: ${st.seen} read, ${st.unique} kept, ${st.exact} exact, ${st.near} near duplicates, ${st.candidates} LSH candidates`);
  assert.equal(st.seen, rows.length);
  assert.equal(st.unique + st.exact + st.near, st.seen);
  for (const c of d.clusters()) {
    for (const m of c.members) {
      const a = items.get(c.representative)!;
      const b = items.get(m.id)!;
      const j = jaccard(dedupText(a), dedupText(b));
      console.log(`  ${m.kind} ${m.similarity.toFixed(2)} (true ${j.toFixed(2)}): ${a.question.slice(0, 60)} | ${b.question.slice(0, 60)}`);
      assert.ok(j >= 0.6, `flagged pair with true J ${j}`);
    }
  }
});

test("MedQuAD: counts, and template questions about different conditions with their own answers are never merged", (t) => {
  const path = sharedPath(t, "data/medquad/medquad.jsonl");
  if (!path) return;
  const rows = readJsonl(path);
  const d = new Deduplicator();
  const items = new Map<string, QAItem>();
  const template = /^What is \(are\) (.+) \?$/;
  for (const r of rows) {
    const it = open(String(r.id), String(r.question), String(r.answer));
    items.set(it.id, it);
    d.check(it);
  }
  const st = d.stats();
  let differentX = 0;
  for (const c of d.clusters()) {
    for (const m of c.members) {
      const a = items.get(c.representative)!;
      const b = items.get(m.id)!;
      const xa = template.exec(a.question)?.[1];
      const xb = template.exec(b.question)?.[1];
      if (xa !== undefined && xb !== undefined && xa.toLowerCase() !== xb.toLowerCase()) {
        differentX++;
        // only when the answers are themselves near copies may two conditions meet
        assert.ok(jaccard(a.answer, b.answer) >= 0.6, `"${a.question}" merged with "${b.question}" although their answers differ`);
      }
    }
  }
  console.log(`MedQuAD: ${st.seen} read, ${st.unique} kept, ${st.exact} exact, ${st.near} near; "What is (are) X ?" pairs with different X merged: ${differentX}`);
  assert.equal(st.seen, 16407);
  // two real template questions about different conditions, checked on their own
  const pair = rows.filter((r) => template.test(String(r.question))).slice(0, 2);
  const d2 = new Deduplicator();
  for (const r of pair) assert.equal(d2.check(open(String(r.id), String(r.question), String(r.answer))).status, "unique", String(r.question));
});

test("sketches made by another Deduplicator (as threads do) and checked in order give exactly what check gives", () => {
  const rng = new Rng(3);
  const items: QAItem[] = [];
  for (let i = 0; i < 400; i++) {
    const r = rng.int(10);
    if (r === 0 && items.length > 0) items.push(changeOneWord(items[items.length - 1], rng, `n${i}`));
    else if (r === 1 && items.length > 0) items.push({ ...items[rng.int(items.length)], id: `x${i}` });
    else if (r === 2) items.push(open(`o${i}`, `What is (are) condition ${rng.int(20)} ?`, `Answer about ${VOCAB[rng.int(VOCAB.length)]} ${rng.int(5)}`));
    else items.push(randomMcq(rng, `m${i}`));
  }
  for (const opts of [{}, { near: false }, { threshold: 0.5 }]) {
    const whole = new Deduplicator(opts);
    const sketcher = new Deduplicator(opts);
    const checker = new Deduplicator(opts);
    const w = sketcher.sketchWidth;
    const sketches = new Uint32Array(items.length * w);
    items.forEach((it, i) => sketcher.sketchInto(sketches, i * w, it));
    const expected: DedupResult[] = items.map((it) => whole.check(it));
    assert.deepEqual(items.map((it, i) => checker.checkSketch(it.id, sketches, i * w)), expected);
    assert.deepEqual(checker.clusters(), whole.clusters());
    assert.ok(expected.some((d) => d.status === "exact"));
    if (opts.near !== false) assert.ok(expected.some((d) => d.status === "near"));
  }
});

test("sketchInto (words of each field, shared or not) gives sketchText's sketch of dedupFields, whatever the field layout", () => {
  const rng = new Rng(12);
  const phrase = () => Array.from({ length: 1 + rng.int(6) }, () => VOCAB[rng.int(VOCAB.length)]).join(rng.int(3) === 0 ? ", " : " ");
  const cased = ["Éclampsie", "éclampsie", "İnsulin", "insulin", "STRASSE", "straße", "Zinc", "zinc", "ärger", "Ä"];
  const items: QAItem[] = [];
  for (let i = 0; i < 300; i++) {
    const kind = (["mcq", "mcq", "open", "yesno"] as const)[rng.int(4)];
    const nOptions = kind === "mcq" || rng.int(4) === 0 ? 2 + rng.int(4) : 0; // options on open/yes-no items too: left out of the prompt
    const options = Array.from({ length: nOptions }, (_, k) => ({ label: "ABCDEFGHIJ"[k], text: rng.int(4) === 0 ? cased[rng.int(cased.length)] : rng.int(8) === 0 ? "" : phrase() }));
    const context = rng.int(2) === 0 ? Array.from({ length: 1 + rng.int(3) }, phrase) : undefined;
    const question = rng.int(10) === 0 ? "" : phrase() + "?";
    const answer = kind === "open" ? phrase() : kind === "yesno" ? "yes" : "A";
    items.push({ id: `i${i}`, source: "test", kind, question, options: nOptions > 0 ? options : undefined, answer, context, explanation: rng.int(3) === 0 ? phrase() : undefined, metadata: {} });
  }
  const d = new Deduplicator();
  const w = d.sketchWidth;
  const viaFields = new Uint32Array(w);
  const viaItem = new Uint32Array(w);
  const shared = new ItemWords();
  for (const it of items) {
    const f = dedupFields(it);
    d.sketchText(viaFields, 0, f.prompt, f.payload);
    d.sketchInto(viaItem, 0, it);
    assert.deepEqual(viaItem, viaFields, `${it.id}: ${dedupText(it)}`);
    shared.of(it, rng.int(2) === 0); // as the contamination scan may have left it, explanation and all
    d.sketchInto(viaItem, 0, it, shared);
    assert.deepEqual(viaItem, viaFields, `${it.id} (shared words)`);
  }
  // option order: as the lower-cased texts sort, non-ASCII included
  const texts = [...cased, "Zoster", "zoster b", "a", "", "B12"];
  const m = mcq("o", "Pick one", texts);
  assert.deepEqual(dedupFields(m).prompt.split("\n").slice(1), [...texts].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)));
});
