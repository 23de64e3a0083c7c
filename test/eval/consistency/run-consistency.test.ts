// Consistency end to end with fake models (issue 5 acceptance): a model that always picks the first letter
// flips under option permutations (rate below 1, flips listed with before/after in the original labels); a
// content-aware oracle is fully consistent (1.0). Also N-sample agreement, provider errors left out of the rate
// and listed, and the protocol recorded beside the numbers.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { QAItem } from "../../../src/data/index.ts";
import type { GenerateRequest, GenerateResult, LogprobRequest, LogprobResult, Model } from "../../../src/providers/index.ts";
import { runConsistency } from "../../../src/eval/consistency/run-consistency.ts";

const ITEMS: QAItem[] = [
  ["Which of the following is the most likely diagnosis?", ["Pericarditis", "Aortic dissection", "Pulmonary embolism", "Myocardial infarction"], "D"],
  ["A 30-year-old woman presents to the clinic with fatigue. Which of the following is the most likely cause?", ["Iron deficiency", "Hypothyroidism", "Depression", "Anemia of chronic disease"], "A"],
  ["A man on warfarin has bleeding. What is the most appropriate next step?", ["Vitamin K", "Protamine", "Platelets", "Observation"], "A"],
  ["Which enzyme is deficient in classic galactosemia?", ["Galactokinase", "GALT", "Aldolase B", "Hexokinase"], "B"],
  ["Which nerve is injured in a midshaft humerus fracture?", ["Axillary", "Median", "Radial", "Ulnar"], "C"],
  ["What is the first-line treatment of absence seizures?", ["Phenytoin", "Carbamazepine", "Ethosuximide", "Lamotrigine"], "C"],
].map(([question, texts, answer], i) => ({
  id: `q${i + 1}`, source: "test", kind: "mcq", subject: i < 3 ? "medicine" : "basic", question: question as string,
  options: (texts as string[]).map((text, j) => ({ label: "ABCD"[j], text })), answer: answer as string, metadata: {},
}));
const GOLD_TEXTS = new Set(ITEMS.map((it) => it.options!.find((o) => o.label === it.answer)!.text));

/** Option lines of a rendered prompt ("A. text"), label -> text. */
function promptOptions(prompt: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of prompt.split("\n")) {
    const x = /^([A-J])\. (.*)$/.exec(line);
    if (x) m.set(x[1], x[2]);
  }
  return m;
}

/** A fake model that picks a label from the prompt (loglik: the picked label scores highest; generate: "Answer: X"). */
function fakeModel(pick: (options: Map<string, string>, prompt: string, seed?: number) => string | null, opts: { failWhen?: (prompt: string) => boolean } = {}): Model & { calls: number } {
  const model = {
    calls: 0,
    async logprobs(reqs: LogprobRequest[]): Promise<LogprobResult[]> {
      model.calls++;
      return reqs.map((r) => {
        if (opts.failWhen?.(r.context)) return { logprob: NaN, tokens: 0, isGreedy: false, error: "server overloaded", retryable: true };
        if (r.continuation.trim() === "yes" || r.continuation.trim() === "no" || r.continuation.trim() === "maybe") {
          return { logprob: r.continuation.trim() === "yes" ? -0.2 : -2, tokens: 1, isGreedy: true };
        }
        const chosen = pick(promptOptions(r.context), r.context);
        return { logprob: r.continuation.trim() === chosen ? -0.1 : -3, tokens: 1, isGreedy: r.continuation.trim() === chosen };
      });
    },
    async generate(reqs: GenerateRequest[]): Promise<GenerateResult[]> {
      model.calls++;
      return reqs.map((r) => {
        const prompt = r.prompt ?? r.messages!.map((m) => m.content).join("\n");
        if (opts.failWhen?.(prompt)) return { text: "", latencyMs: 1, error: "timeout" };
        const chosen = pick(promptOptions(prompt), prompt, r.temperature > 0 ? r.seed : undefined);
        return { text: chosen === null ? "I am not sure." : `Let me reason about it.\nAnswer: ${chosen}`, latencyMs: 1 };
      });
    },
    info: () => ({ id: "fake", provider: "test", fingerprint: "fp1", capabilities: { logprobs: true, chat: false } }),
    async close() {},
  };
  return model;
}

const firstLetter = fakeModel(() => "A");
const oracle = fakeModel((opts) => [...opts].find(([, text]) => GOLD_TEXTS.has(text))?.[0] ?? "A");
const OPTION_PERTURBATIONS = ["option-cyclic", "option-random"] as const;

test("a first-letter model flips under option permutations: rate below 1, every flip listed in original labels", async () => {
  const r = await runConsistency(firstLetter, ITEMS, { perturbations: [...OPTION_PERTURBATIONS, "paraphrase"], seed: 1, nResamples: 500 });
  assert.ok(r.rate !== null);
  assert.ok(r.rate.rate < 1, `rate ${r.rate.rate}`);
  const optionFlips = r.flips.filter((f) => f.perturbation.startsWith("option-"));
  // Exactly the option variants that move another text under A flip; paraphrases keep the order and agree.
  const nOptionVariants = r.items.reduce((n, it) => n + it.variants.filter((v) => v.perturbation.startsWith("option-")).length, 0);
  assert.equal(nOptionVariants, ITEMS.length * 6);
  const moved = r.items.flatMap((it) => it.variants.filter((v) => v.perturbation.startsWith("option-") && v.answer !== "A").map((v) => v.variantId));
  assert.ok(moved.length >= ITEMS.length * 3, "every cyclic shift moves A");
  assert.deepEqual(optionFlips.map((f) => f.variantId), moved);
  assert.equal(r.byPerturbation.find((p) => p.perturbation === "option-cyclic")!.rate, 0);
  assert.equal(r.byPerturbation.find((p) => p.perturbation === "paraphrase")!.rate, 1);
  for (const f of optionFlips) {
    assert.equal(f.before, "A");
    assert.notEqual(f.after, "A");
    const item = ITEMS.find((it) => it.id === f.id)!;
    assert.equal(f.beforeText, item.options![0].text);
    assert.equal(f.afterText, item.options!.find((o) => o.label === f.after)!.text);
    assert.ok(f.variantId.startsWith(`${f.id}#`));
  }
  // q2's gold is A: a flip away from it broke a right answer.
  assert.ok(r.flips.some((f) => f.id === "q2" && f.effect === "broke"));
  assert.ok(r.flips.some((f) => f.id === "q1" && f.after === "D" && f.effect === "fixed"));
  assert.ok(r.rate.lo <= r.rate.rate && r.rate.rate <= r.rate.hi);
  assert.ok(r.rate.hi < 1);
  assert.equal(r.itemRate!.rate, 0);
  assert.equal(r.accuracy.original, 2 / 6, "gold is A for q2 and q3");
});

test("an oracle model answers by content and is fully consistent", async () => {
  const r = await runConsistency(oracle, ITEMS, { perturbations: [...OPTION_PERTURBATIONS, "paraphrase", "drug-names"], seed: 1, nResamples: 200 });
  assert.equal(r.rate!.rate, 1);
  assert.equal(r.rate!.lo, 1);
  assert.equal(r.itemRate!.rate, 1);
  assert.deepEqual(r.flips, []);
  assert.equal(r.accuracy.original, 1);
  assert.equal(r.accuracy.robust, 1);
  // Variants' gold moved with its text, and the oracle followed it.
  for (const it of r.items) for (const v of it.variants) assert.equal(v.isCorrect, true);
  // The warfarin item got drug-name variants; items without a drug explain why not.
  assert.ok(r.items.find((it) => it.id === "q3")!.variants.some((v) => v.perturbation === "drug-names"));
  assert.ok(r.skipped.some((s) => s.id === "q5" && s.perturbation === "drug-names" && /no drug name/.test(s.reason)));
  assert.equal(r.protocol.scoring, "loglik");
  assert.equal(r.protocol.model.fingerprint, "fp1");
  assert.deepEqual(r.protocol.perturbations.map((p) => p.name), ["option-cyclic", "option-random", "paraphrase", "drug-names"]);
});

test("generative scoring with N-sample agreement: a seed-dependent model disagrees with itself", async () => {
  // Greedy answers by content; sampled answers on q4 depend on the seed's parity.
  const model = fakeModel((opts, _p, seed) => {
    const right = [...opts].find(([, text]) => GOLD_TEXTS.has(text))?.[0] ?? "A";
    if (seed !== undefined && [...opts.values()].includes("GALT") && seed % 2 === 1) return "D";
    return right;
  });
  const r = await runConsistency(model, ITEMS, { scoring: "generative", perturbations: ["samples"], n: 6, temperature: 0.9, seed: 5, nResamples: 200 });
  const q4 = r.items.find((it) => it.id === "q4")!;
  assert.equal(q4.variants.length, 6);
  const odd = q4.variants.filter((v) => v.answer === "D").length;
  assert.ok(odd > 0 && odd < 6, `seeds should split q4's samples, got ${odd}/6 on D`);
  assert.equal(q4.sampleAgreement, Math.max(odd, 6 - odd) / 6);
  for (const it of r.items.filter((x) => x.id !== "q4")) assert.equal(it.sampleAgreement, 1);
  assert.equal(r.flips.length, odd);
  assert.ok(r.rate!.rate < 1);
  assert.equal(r.protocol.temperature, 0.9);
  assert.match(r.protocol.perturbations[0].description, /6 samples/);
});

test("failed and unparsed answers are left out of the rate and listed with their reason", async () => {
  const model = fakeModel((opts) => ([...opts.values()].includes("Radial") ? null : "A"), { failWhen: (p) => p.includes("Question: Answer the following question.") });
  const r = await runConsistency(model, ITEMS, { scoring: "generative", perturbations: ["paraphrase"], nResamples: 100 });
  const q5 = r.items.find((it) => it.id === "q5")!;
  assert.equal(q5.original.answer, null);
  assert.ok(q5.variants.every((v) => v.status === "unanswered"));
  assert.ok(r.unanswered.some((u) => u.id === "q5" && u.side === "original"));
  const failed = r.unanswered.filter((u) => u.side === "variant" && u.reason === "timeout");
  assert.equal(failed.length, ITEMS.length - 1, "the instruction-preamble variant failed on every other item");
  assert.equal(r.rate!.nPairs, r.items.reduce((n, it) => n + it.nCompared, 0));
  assert.equal(r.rate!.rate, 1);
});

test("input checks: sampling needs generation, ids must be unique, open items are skipped", async () => {
  await assert.rejects(() => runConsistency(oracle, ITEMS, { perturbations: ["samples"] }), /N-sample agreement needs generation/);
  await assert.rejects(() => runConsistency(oracle, [ITEMS[0], ITEMS[0]], { perturbations: ["option-cyclic"] }), /appears twice/);
  await assert.rejects(() => runConsistency(oracle, ITEMS, { perturbations: ["shuffle-words" as "paraphrase"] }), /unknown perturbation/);
  const open: QAItem = { id: "o1", source: "t", kind: "open", question: "What is the dose?", answer: "5 mg", metadata: {} };
  const yn: QAItem = { id: "y1", source: "t", kind: "yesno", question: "Does warfarin interact with rifampin?", answer: "yes", context: ["Rifampin induces warfarin metabolism."], metadata: {} };
  const r = await runConsistency(oracle, [open, yn], { perturbations: ["option-cyclic", "paraphrase", "drug-names"], nResamples: 100 });
  assert.equal(r.items[0].variants.length, 0);
  assert.match(r.items[0].skipped[0].reason, /open items have no discrete answer/);
  assert.equal(r.items[1].original.answer, "yes");
  assert.ok(r.items[1].skipped.some((s) => s.perturbation === "option-cyclic"));
  assert.ok(r.items[1].variants.some((v) => v.key === "brand-generic"));
  assert.equal(r.rate!.rate, 1);
});

test("a custom answerer replaces the built-in one and sees every original and variant", async () => {
  const seen: string[] = [];
  const callsBefore = firstLetter.calls;
  const r = await runConsistency(firstLetter, ITEMS.slice(0, 2), {
    perturbations: ["option-cyclic"],
    nResamples: 100,
    answerer: async (reqs) => reqs.map((q) => {
      seen.push(q.item.id);
      return { answer: q.item.answer };
    }),
  });
  assert.equal(seen.length, 2 * 4);
  assert.equal(firstLetter.calls, callsBefore, "the model itself is not asked");
  assert.equal(r.rate!.rate, 1, "answering the variant's own gold is consistent by text");
  assert.equal(r.protocol.answerer, "custom");
});
