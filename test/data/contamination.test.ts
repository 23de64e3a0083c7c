// Contamination: GPT-3-style 13-gram overlap (short eval texts, frequent n-gram rules), unigram MinHash near
// copies, the reported eval item and n-gram, and MedMCQA dev against the MedQA slice from ../shared with a
// planted verbatim stem (ngram) and a reordered/reworded copy that keeps no 13-gram (near).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MedtuneError, Rng } from "../../src/core/index.ts";
import type { QAItem } from "../../src/data/schema.ts";
import { ContaminationIndex, contaminationText, contaminationExtra, CONTAMINATION_DEFAULTS } from "../../src/data/contamination.ts";
import { MinHasher, LshIndex, lshParams } from "../../src/data/minhash.ts";
import { normalizeText, WordHashes, ItemWords } from "../../src/data/text-norm.ts";
import { sharedPath } from "../helpers/shared.ts";

function item(id: string, question: string, options?: string[], source = "train", context?: string[]): QAItem {
  return {
    id,
    source,
    kind: options ? "mcq" : "open",
    question,
    options: options?.map((text, i) => ({ label: "ABCDEFGHIJ"[i], text })),
    answer: options ? "A" : "",
    context,
    metadata: {},
  };
}

const EVAL_STEM =
  "A 67-year-old man with transitional cell carcinoma of the bladder comes to the physician because of a 2-day history of ringing in his ears after his first course of neoadjuvant chemotherapy.";
const EVAL_OPTS = ["Inhibition of proteasome", "Hyperstabilization of microtubules", "Generation of free radicals", "Cross-linking of DNA"];

function evalIndex(opts = {}): ContaminationIndex {
  const idx = new ContaminationIndex(opts);
  idx.add(item("ev-1", EVAL_STEM, EVAL_OPTS, "medqa"));
  idx.add(item("ev-2", "Which enzyme is deficient in classic galactosemia presenting with jaundice, vomiting and cataracts in a neonate after milk feeds?", ["GALT", "Galactokinase", "Aldolase B", "Hexokinase"], "medqa"));
  return idx;
}

/** The set of normalized word n-grams of a text. */
function ngrams(text: string, n: number): Set<string> {
  const w = normalizeText(text).split(" ").filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) out.add(w.slice(i, i + n).join(" "));
  return out;
}

function unigramJaccard(a: string, b: string): number {
  const sa = ngrams(a, 1);
  const sb = ngrams(b, 1);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

test("a copied 13-word span (case and punctuation changed) inside a training item is an ngram hit", () => {
  const idx = evalIndex({ minCoverage: 0 }); // GPT-3's rule: any one shared 13-gram
  const span = "COMES TO THE PHYSICIAN, because of a 2-day history of ringing in his ears";
  const hit = idx.check(item("t1", `Recall this case: the patient ${span}. What does cisplatin do?`, ["Binds tubulin", "Cross-links DNA"]));
  assert.ok(hit);
  assert.equal(hit.kind, "ngram");
  assert.equal(hit.evalId, "ev-1");
  assert.equal(hit.evalSource, "medqa");
  assert.ok(hit.overlap >= 1);
  assert.equal(hit.ngram!.split(" ").length, 13);
  assert.ok(normalizeText(EVAL_STEM).includes(hit.ngram!), hit.ngram);
  // 12 copied words are not enough, and share too few words for a near copy
  assert.equal(idx.check(item("t2", "Unrelated stem: comes to the physician because of a 2-day history of ringing. Pick one.", ["x", "y"])), null);
});

test("the reported eval item is the one sharing the most n-grams, with that count", () => {
  const idx = evalIndex();
  const ev2 = "which enzyme is deficient in classic galactosemia presenting with jaundice vomiting and cataracts in a neonate";
  const fromEv1 = (nWords: number) => normalizeText(EVAL_STEM).split(" ").slice(0, nWords).join(" ");
  const count = (text: string, evalText: string) => [...ngrams(text, 13)].filter((g) => ngrams(evalText, 13).has(g)).length;
  for (const [n1, expected] of [
    [30, "ev-1"],
    [14, "ev-2"],
  ] as const) {
    const text = `${fromEv1(n1)} and separately ${ev2}`;
    const hit = idx.check(item(`t${n1}`, text));
    assert.ok(hit);
    const evalText = expected === "ev-1" ? EVAL_STEM : contaminationText(item("e", ev2));
    console.log(`${n1} words of ev-1 + ${ev2.split(" ").length} of ev-2: reported ${hit.evalId} with ${hit.overlap}`);
    assert.equal(hit.evalId, expected);
    assert.equal(hit.overlap, count(text, evalText));
  }
});

test("eval texts of 8-12 words match as one n-gram; shorter ones only as the whole training text", () => {
  const idx = new ContaminationIndex({ near: false });
  idx.add(item("short9", "Most common site of carcinoid tumor in the gut?", undefined, "mmlu")); // 9 words
  idx.add(item("tiny", "Define anemia.", undefined, "mmlu")); // 2 words
  const hit = idx.check(item("a", "Question 4. most common site of CARCINOID tumor in the gut? Answer: appendix or ileum"));
  assert.ok(hit);
  assert.equal(hit.evalId, "short9");
  assert.equal(hit.ngram, "most common site of carcinoid tumor in the gut");
  assert.equal(idx.check(item("b", "most common site of carcinoid tumor in the")), null); // 8 of the 9 words
  assert.equal(idx.check(item("c", "Define anemia and list three causes of iron deficiency.")), null);
  const exact = idx.check(item("d", "define: ANEMIA"));
  assert.ok(exact);
  assert.equal(exact.evalId, "tiny");
  assert.equal(exact.ngram, "define anemia");
});

test("n-grams found in more than maxEvalItems eval items are boilerplate and ignored", () => {
  const boiler = "which of the following is the most likely underlying cause of this patient's condition";
  const evals = ["fever and rash after a tick bite", "painless jaundice and weight loss", "hemoptysis and hypercalcemia"].map((s, i) =>
    item(`ev${i}`, `A patient presents with ${s}. ${boiler}?`, undefined, "medqa"),
  );
  const train = item("t", `A woman has chronic cough and clubbing. ${boiler}?`);
  const strict = new ContaminationIndex({ near: false });
  for (const e of evals) strict.add(e);
  assert.equal(strict.check(train), null);
  const st = strict.stats();
  assert.ok(st.evalFrequentNgrams >= 1);
  assert.ok(st.ignoredExamples.some((x) => x.reason === "eval-frequent" && x.evalItems === 3 && boiler.replace("'", "").includes(x.ngram.split(" ").slice(0, 5).join(" "))));
  const loose = new ContaminationIndex({ near: false, maxEvalItems: 3 });
  for (const e of evals) loose.add(e);
  assert.equal(loose.check(train)?.kind, "ngram");
});

test("minCoverage: one shared exam phrase is not a leak by default; a copied stem is, and coverage is reported", () => {
  const idx = evalIndex({ near: false });
  const phrase = "comes to the physician because of a 2-day history of ringing in his ears";
  // one 13-gram out of the eval item's ~40: 2.5% coverage, under the 10% default
  assert.equal(idx.check(item("t1", `Recall: the patient ${phrase}. What does cisplatin do?`, ["Binds tubulin", "Cross-links DNA"])), null);
  const copy = idx.check(item("t2", `Copied: ${EVAL_STEM}`, ["a", "b"]));
  assert.equal(copy?.kind, "ngram");
  assert.ok(copy!.coverage! > 0.5, String(copy?.coverage));
  assert.throws(() => new ContaminationIndex({ minCoverage: 1.5 }), /minCoverage must be in \[0, 1\]/);
});

test("GPT-3 frequency rule: n-grams matching more than maxTrainMatches training items stop counting", () => {
  const span = "comes to the physician because of a 2-day history of ringing in his ears";
  const train = Array.from({ length: 14 }, (_, i) => item(`t${i}`, `Case ${i}: a clerk ${span}. Next step?`));
  // streaming: counts accumulate while checking, so the first maxTrainMatches items are flagged
  const streaming = evalIndex({ near: false, maxTrainMatches: 10, minCoverage: 0 });
  const flagged = train.map((t) => streaming.check(t) !== null);
  assert.deepEqual(flagged, train.map((_, i) => i < 10));
  assert.equal(streaming.stats().trainFrequentNgrams, [...ngrams(span, 13)].filter((g) => ngrams(EVAL_STEM, 13).has(g)).length);
  assert.equal(streaming.stats().trainCountsFromObserve, false);
  // with an observe pass first the counts are exact (GPT-3): all 14 share the n-grams, none is flagged
  const exact = evalIndex({ near: false, maxTrainMatches: 10, minCoverage: 0 });
  for (const t of train) exact.observe(t);
  assert.deepEqual(train.map((t) => exact.check(t)), train.map(() => null));
  assert.equal(exact.stats().trainCountsFromObserve, true);
  assert.throws(() => exact.observe(train[0]), (e: unknown) => e instanceof MedtuneError && e.code === "contamination.observe-after-check");
  // a copy seen by few training items stays flagged after an observe pass
  const few = evalIndex({ near: false, minCoverage: 0 });
  for (const t of train.slice(0, 3)) few.observe(t);
  assert.equal(few.check(train[0])?.kind, "ngram");
});

test("near copies: reworded/reordered text without any shared 13-gram is flagged near; unrelated text is not", () => {
  const idx = evalIndex();
  const reworded =
    "Because of ringing in his ears for 2 days after his first neoadjuvant chemotherapy course, a man aged 67 with bladder transitional cell carcinoma comes to the physician. Cross-linking of DNA; Generation of free radicals; Hyperstabilization of microtubules; Inhibition of proteasome";
  const evalText = contaminationText(item("ev-1", EVAL_STEM, EVAL_OPTS));
  const shared13 = [...ngrams(reworded, 13)].filter((g) => ngrams(evalText, 13).has(g));
  const j = unigramJaccard(reworded, evalText);
  console.log(`reworded copy: shared 13-grams ${shared13.length}, unigram J ${j.toFixed(3)}`);
  assert.equal(shared13.length, 0);
  const hit = idx.check(item("t", reworded));
  assert.ok(hit);
  assert.equal(hit.kind, "near");
  assert.equal(hit.evalId, "ev-1");
  assert.ok(hit.overlap >= 0.8 && hit.overlap <= 1);
  assert.equal(hit.ngram, undefined);
  assert.equal(idx.check(item("u", "A 30-year-old woman has a painless thyroid nodule; fine needle aspiration shows papillary carcinoma. Next step?")), null);
  const off = evalIndex({ near: false });
  assert.equal(off.check(item("t", reworded)), null);
  assert.equal(idx.stats().flaggedNear, 1);
});

test("n-grams are also searched in training explanations and in eval reference answers", () => {
  const idx = evalIndex();
  const explained: QAItem = { ...item("t1", "Which drug causes ototoxicity?", ["Cisplatin", "Vincristine"]), explanation: `Seen in a case where a man ${EVAL_STEM.slice(22, 140)}.` };
  const hit = idx.check(explained);
  assert.equal(hit?.kind, "ngram");
  assert.equal(hit?.evalId, "ev-1");
  assert.equal(idx.check({ ...explained, explanation: undefined }), null);
  const reference = "Metformin lowers hepatic glucose production by activating AMP-activated protein kinase and is first line in type 2 diabetes.";
  const openEval = new ContaminationIndex();
  openEval.add({ id: "qa-1", source: "liveqa", kind: "open", question: "How does metformin work?", answer: reference, metadata: {} });
  const leaked: QAItem = { id: "t2", source: "train", kind: "open", question: "Explain the drug.", answer: `In short: ${reference}`, metadata: {} };
  assert.equal(openEval.check(leaked)?.evalId, "qa-1");
  assert.equal(contaminationExtra(leaked, true), leaked.answer);
  assert.equal(contaminationExtra({ ...explained, kind: "mcq" }, false), "");
});

test("build() takes async iterables; options are validated; texts include options and context", async () => {
  async function* gen() {
    yield item("a1", EVAL_STEM, EVAL_OPTS, "medqa");
  }
  const idx = await ContaminationIndex.build(gen());
  assert.equal(idx.size, 1);
  assert.equal(idx.check(item("t", EVAL_STEM))?.kind, "ngram");
  assert.equal(contaminationText(item("x", "Q?", ["o1", "o2"], "s", ["ctx one", "ctx two"])), "Q?\no1\no2\nctx one\nctx two");
  assert.throws(() => new ContaminationIndex({ ngram: 0 }), (e: unknown) => e instanceof MedtuneError && e.where === "contamination.ngram");
  assert.throws(() => new ContaminationIndex({ minNgram: 14 }), /must not exceed/);
  assert.throws(() => new ContaminationIndex({ threshold: 0 }), /threshold/);
});

function readJsonl(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("MedMCQA dev against the MedQA slice: hit count, a planted stem (ngram) and a reworded copy (near)", (t) => {
  const medqaPath = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  const medmcqaPath = sharedPath(t, "data/medmcqa/dev_shared_half.jsonl");
  if (!medqaPath || !medmcqaPath) return;
  const medqa = readJsonl(medqaPath).map((r) => item(String(r.id), String(r.question), Object.values(r.options as Record<string, string>), "medqa"));
  const idx = new ContaminationIndex();
  for (const e of medqa) idx.add(e);
  const train = readJsonl(medmcqaPath).map((r) => item(String(r.id), String(r.question), [r.opa, r.opb, r.opc, r.opd].map(String), "medmcqa"));
  let hits = 0;
  for (const it of train) {
    const hit = idx.check(it);
    if (hit) {
      hits++;
      console.log(`  hit ${it.id} -> ${hit.evalId} ${hit.kind} ${hit.overlap} ${hit.ngram ?? ""}`);
      assert.equal(hit.evalSource, "medqa");
    }
  }
  const st = idx.stats();
  console.log(
    `MedMCQA dev half (${train.length}) vs MedQA slice (${medqa.length}, ${st.evalNgrams} n-grams): ${hits} flagged (${st.flaggedNgram} ngram, ${st.flaggedNear} near); ${st.evalFrequentNgrams} eval-frequent n-grams ignored; ${st.bands}x${st.rows} bands`,
  );
  assert.ok(hits < train.length * 0.01, "two different exams should barely overlap");

  const target = medqa[17];
  const planted = item("planted", `From a question bank: ${target.question} Choose the best answer.`, ["Option one", "Option two", "Option three", "Option four"], "medmcqa");
  const hit = idx.check(planted);
  assert.ok(hit, "the planted stem must be flagged");
  assert.equal(hit.kind, "ngram");
  assert.equal(hit.evalId, target.id);
  assert.ok(hit.overlap > 10, `a whole stem shares many 13-grams, got ${hit.overlap}`);

  // reworded copy: sentences reversed, a pair of adjacent words swapped every 10 words, two synonyms, options reordered
  const synonyms = target.question.replace(/\bphysician\b/, "doctor").replace(/\bpatient\b/, "person").replace(/\bshows\b/, "reveals");
  const sentences = synonyms.split(/(?<=[.?!])\s+/).reverse();
  const words = sentences.join(" ").split(/\s+/);
  for (let i = 4; i + 1 < words.length; i += 10) [words[i], words[i + 1]] = [words[i + 1], words[i]];
  const opts = target.options!.map((o) => o.text).reverse();
  const reworded = item("reworded", words.join(" "), opts, "medmcqa");
  const evalText = contaminationText(target);
  const shared13 = [...ngrams(contaminationText(reworded), 13)].filter((g) => ngrams(evalText, 13).has(g));
  const j = unigramJaccard(contaminationText(reworded), evalText);
  console.log(`reworded ${target.id}: ${shared13.length} shared 13-grams, unigram J ${j.toFixed(3)}`);
  assert.equal(shared13.length, 0, "the rewording must break every 13-gram");
  const near = idx.check(reworded);
  assert.ok(near, "the reworded copy must be flagged");
  assert.equal(near.kind, "near");
  assert.equal(near.evalId, target.id);
});

test("scan in one index and decide in another built alike (as threads do) give exactly what check gives", () => {
  const span = "comes to the physician because of a 2-day history of ringing in his ears";
  const train = [
    ...Array.from({ length: 14 }, (_, i) => item(`t${i}`, `Case ${i}: a clerk ${span}. Next step?`)), // train-frequent after 10
    item("near", EVAL_STEM.split(" ").reverse().join(" "), EVAL_OPTS), // reworded copy: near
    item("short", "Which enzyme is deficient in classic galactosemia presenting with jaundice?"),
    item("clean", "What is the first-line treatment of uncomplicated cystitis in a healthy woman?"),
  ];
  const kinds = new Set<string>();
  for (const opts of [{ minCoverage: 0, maxTrainMatches: 10 }, {}]) {
    const whole = evalIndex(opts);
    const scanner = evalIndex(opts);
    const decider = evalIndex(opts);
    const scans = train.map((t) => scanner.scan(t)); // all scans first, as a worker runs ahead
    const expected = train.map((t) => whole.check(t));
    assert.deepEqual(scans.map((s) => decider.decide(s)), expected);
    assert.deepEqual(decider.stats(), whole.stats()); // counts, and the train-frequent n-grams with their text
    if (opts.maxTrainMatches === 10) assert.ok(whole.stats().trainFrequentNgrams > 0);
    for (const h of expected) kinds.add(h?.kind ?? "none");
  }
  assert.deepEqual([...kinds].sort(), ["near", "ngram", "none"]);
});

test("scan gives what an unfiltered MinHash + LSH near test gives, with or without words shared with the dedup sketch", () => {
  // the reference: every training item signed and looked up, as the near test did before its pre-filter
  const rng = new Rng(30);
  const vocab = Array.from({ length: 400 }, (_, i) => `w${i}x${(i * 7919) % 1000}`);
  const text = (n: number) => Array.from({ length: n }, () => vocab[Math.floor(vocab.length * rng.next() ** 2)]).join(" "); // skewed: common words
  const evalItems = Array.from({ length: 60 }, (_, i) => item(`ev${i}`, text(8 + rng.int(60)), undefined, "eval"));
  const train: QAItem[] = [];
  for (let i = 0; i < 600; i++) {
    if (i % 3 === 0) {
      // a reworded copy of an eval item: shuffled, a share of words dropped or replaced
      const words = evalItems[rng.int(evalItems.length)].question.split(" ");
      const f = rng.next() * 0.4;
      const kept = words.filter(() => rng.next() > f / 2).map((w) => (rng.next() < f / 2 ? vocab[rng.int(vocab.length)] : w));
      train.push(item(`t${i}`, rng.shuffle(kept).join(" ")));
    } else train.push(item(`t${i}`, text(1 + rng.int(80))));
  }
  for (const threshold of [0.8, 0.5]) {
    const idx = new ContaminationIndex({ threshold });
    for (const e of evalItems) idx.add(e);
    const hasher = new MinHasher({ numPerm: 64, bBits: 32, shingleSize: 1, seed: CONTAMINATION_DEFAULTS.seed });
    const { bands, rows } = lshParams(threshold, 64, 32);
    const lsh = new LshIndex({ numPerm: 64, bBits: 32, bands, rows });
    const words = new WordHashes();
    const sig = new Uint32Array(64);
    for (const e of evalItems) {
      hasher.signWords(sig, 0, words.fill(contaminationText(e)).hashes, words.length);
      lsh.add(sig);
    }
    const shared = new ItemWords();
    let nNear = 0;
    for (const t of train) {
      hasher.signWords(sig, 0, words.fill(contaminationText(t)).hashes, words.length);
      let near = -1;
      let best = -1;
      const n = lsh.candidates(sig);
      for (let c = 0; c < n; c++) {
        const e = lsh.candidateBuf[c];
        const sim = lsh.similarity(sig, 0, e);
        if (sim >= threshold && (sim > best || (sim === best && e < near))) [near, best] = [e, sim];
      }
      const s = idx.scan(t);
      assert.equal(s.near, near, t.id);
      assert.equal(s.nearSimilarity, near >= 0 ? Math.round(best * 1e4) / 1e4 : 0);
      shared.of(t, false); // as the dedup sketch leaves it
      assert.deepEqual(idx.scan(t, shared), s);
      if (near >= 0) nNear++;
    }
    console.log(`threshold ${threshold}: ${nNear} of ${train.length} training items near an eval item`);
    assert.ok(nNear > 50 && nNear < train.length / 2, `${nNear} near`);
  }
});
