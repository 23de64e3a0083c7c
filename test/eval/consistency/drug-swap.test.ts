// Brand/generic and US/international drug-name swaps: the lexicon is large and unambiguous, swaps are whole-word
// and case-preserving, compounds and named preparations are left alone, and items about names (or naming one
// drug two ways) are skipped with a reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { QAItem } from "../../../src/data/index.ts";
import { DRUG_LEXICON } from "../../../src/eval/consistency/drug-lexicon.ts";
import { compileDrugLexicon, drugSwapPerturbation, matchCase, swapDrugNames, swapItemDrugNames } from "../../../src/eval/consistency/drug-swap.ts";

test("the lexicon has 80+ drugs, every name means one drug, and generics are lower case", () => {
  assert.ok(DRUG_LEXICON.length >= 80, `${DRUG_LEXICON.length} entries`);
  const pairs = DRUG_LEXICON.reduce((n, e) => n + e.brands.length + (e.international ? 1 : 0), 0);
  assert.ok(pairs >= 150, `${pairs} swappable name pairs`);
  const m = compileDrugLexicon();
  assert.ok(m.names.size > 300);
  for (const e of DRUG_LEXICON) {
    assert.equal(e.generic, e.generic.toLowerCase(), e.generic);
    for (const b of e.brands) assert.match(b, /^[A-Z]/, b);
  }
  assert.throws(() => compileDrugLexicon([{ generic: "a", brands: ["X"] }, { generic: "b", brands: ["x"] }]), /appears twice/);
});

test("brand <-> generic swaps are whole-word and keep the case pattern", () => {
  const r = swapDrugNames("She took Tylenol and warfarin; TYLENOL was stopped. Lipitor's effect.", "brand-generic");
  assert.equal(r.text, "She took acetaminophen and Coumadin; ACETAMINOPHEN was stopped. Atorvastatin's effect.");
  assert.deepEqual(r.swaps.map((s) => s.from), ["Tylenol", "warfarin", "TYLENOL", "Lipitor"]);
  assert.equal(swapDrugNames("Advil", "brand-generic").text, "Ibuprofen", "an option text starts a sentence");
  assert.equal(swapDrugNames("Metformin was started.", "brand-generic").text, "Glucophage was started.");
  assert.equal(swapDrugNames("started zoloft", "brand-generic").text, "started sertraline");
  assert.equal(swapDrugNames("given DDAVP", "brand-generic").text, "given desmopressin");
  // Multi-word and hyphenated names.
  assert.equal(swapDrugNames("switched to Lantus", "brand-generic").text, "switched to insulin glargine");
  assert.equal(swapDrugNames("TMP-SMX for 3 days", "brand-generic").text, "Bactrim for 3 days");
  // Not inside other words or compounds.
  for (const s of ["carbidopa-levodopa", "warfarin-induced necrosis", "Depo-Provera", "amoxicillin-clavulanate"]) {
    const out = swapDrugNames(s, "brand-generic").text;
    if (s === "amoxicillin-clavulanate") assert.equal(out, "Augmentin");
    else assert.equal(out, s, s);
  }
  assert.equal(swapDrugNames("Ciprofloxacin", "brand-generic").text, "Cipro");
  // A named preparation keeps its generic name (a brand may be one preparation only).
  assert.equal(swapDrugNames("topical metronidazole and metronidazole", "brand-generic").text, "topical metronidazole and Flagyl");
  assert.equal(swapDrugNames("medroxyprogesterone acetate", "brand-generic").text, "medroxyprogesterone acetate");
});

test("US <-> international generic swaps both ways, brands untouched", () => {
  assert.equal(swapDrugNames("acetaminophen, albuterol and Tylenol", "us-international").text, "paracetamol, salbutamol and Tylenol");
  assert.equal(swapDrugNames("Rifampicin and adrenaline", "us-international").text, "Rifampin and epinephrine");
  assert.equal(swapDrugNames("metformin", "us-international").swaps.length, 0);
});

test("matchCase follows the source's pattern", () => {
  assert.equal(matchCase("Tylenol", "Tylenol", "acetaminophen", false), "acetaminophen");
  assert.equal(matchCase("Tylenol", "Tylenol", "acetaminophen", true), "Acetaminophen");
  assert.equal(matchCase("WARFARIN", "warfarin", "Coumadin", false), "COUMADIN");
  assert.equal(matchCase("Warfarin", "warfarin", "Coumadin", false), "Coumadin");
  assert.equal(matchCase("lipitor", "Lipitor", "atorvastatin", false), "atorvastatin");
  assert.equal(matchCase("acetaminophen", "acetaminophen", "paracetamol", true), "paracetamol", "a lower-case option text stays lower case");
});

function item(question: string, options: string[], context?: string[]): QAItem {
  return { id: "d1", source: "t", kind: "mcq", question, options: options.map((text, i) => ({ label: "ABCD"[i], text })), answer: "A", metadata: {}, ...(context ? { context } : {}) };
}

test("item swaps cover stem, options and context; naming questions and double names are skipped", () => {
  const it = item("A man on warfarin takes Advil for pain. What explains the bleeding?", ["NSAID platelet inhibition", "Warfarin induction of CYP2C9", "Vitamin K excess", "Rifampin interaction"], ["Warfarin levels rose."]);
  const r = swapItemDrugNames(it, "brand-generic");
  assert.ok(!("skip" in r));
  assert.equal(r.question, "A man on Coumadin takes ibuprofen for pain. What explains the bleeding?");
  assert.deepEqual(r.options!.map((o) => o.text), ["NSAID platelet inhibition", "Coumadin induction of CYP2C9", "Vitamin K excess", "Rifadin interaction"]);
  assert.deepEqual(r.context, ["Coumadin levels rose."]);
  const out = drugSwapPerturbation().apply(it, { seed: 0 });
  assert.deepEqual(out.variants.map((v) => v.key), ["brand-generic", "us-international"]);
  assert.equal(out.variants[1].item.options![3].text, "Rifampicin interaction");
  assert.deepEqual(out.variants[0].labelMap, { A: "A", B: "B", C: "C", D: "D" });
  assert.equal(out.variants[0].item.answer, "A");
  assert.match(out.variants[0].description, /warfarin -> Coumadin/);

  const naming = swapItemDrugNames(item("What is the generic name of Tylenol?", ["Acetaminophen", "Ibuprofen"]), "brand-generic");
  assert.ok("skip" in naming && /about drug names/.test(naming.skip));
  const twice = swapItemDrugNames(item("Tylenol (acetaminophen) overdose is treated with?", ["N-acetylcysteine", "Naloxone"]), "brand-generic");
  assert.ok("skip" in twice && /two ways/.test(twice.skip));
  const none = drugSwapPerturbation().apply(item("Which nerve is injured?", ["Radial", "Ulnar"]), { seed: 0 });
  assert.equal(none.variants.length, 0);
  assert.match(none.skip!.reason, /no drug name/);
});
