// The cleaner (src/data/clean.ts, html-entities.ts): golden input/output files, medical "<"/">" that must
// survive, idempotence and fast-path exactness on fixtures and seeded random strings, and real datasets.
// Regenerate the golden output with UPDATE_GOLDEN=1 (then review every changed line of expected.jsonl).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanText, cleanTextFull, cleanItem } from "../../src/data/clean.ts";
import { HTML_ENTITIES, decodeHtmlEntities } from "../../src/data/html-entities.ts";
import type { QAItem } from "../../src/data/schema.ts";
import { Rng } from "../../src/core/index.ts";
import { sharedPath } from "../helpers/shared.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/clean");

interface InputCase {
  case: string;
  note: string;
  item: QAItem;
  /** false where the input is encoded markup ("&lt;b&gt;"): decoding once yields text a second pass would strip. */
  idempotent?: boolean;
}
interface ExpectedCase {
  case: string;
  changed: string[];
  item: QAItem;
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as T;
      } catch (e) {
        throw new Error(`${path}:${i + 1}: ${(e as Error).message}`);
      }
    });
}

// JSON with invisible, combining and C1 characters escaped, so a reviewer sees them in the golden file.
function jsonLine(v: unknown): string {
  return JSON.stringify(v).replace(
    /[\u007f-\u009f\u00a0\u00ad\u0300-\u036f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufe00-\ufe0f\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

function textsOf(item: QAItem): string[] {
  return [item.question, item.answer, ...(item.options ?? []).map((o) => o.text), ...(item.context ?? []), item.explanation ?? "", item.subject ?? ""];
}

const inputs = readJsonl<InputCase>(join(FIXTURES, "input.jsonl"));

test("golden: cleanItem on every input case gives expected.jsonl (item, raw and changed fields)", () => {
  assert.ok(inputs.length >= 30, `expected at least 30 cases, found ${inputs.length}`);
  const actual = inputs.map((c) => {
    const r = cleanItem(c.item);
    return { case: c.case, changed: r.changed, item: JSON.parse(JSON.stringify(r.item)) as QAItem };
  });
  const expectedPath = join(FIXTURES, "expected.jsonl");
  if (process.env.UPDATE_GOLDEN === "1") {
    writeFileSync(expectedPath, actual.map(jsonLine).join("\n") + "\n");
    process.stderr.write(`UPDATE_GOLDEN=1: wrote ${expectedPath}; review it line by line before committing\n`);
  }
  const expected = readJsonl<ExpectedCase>(expectedPath);
  assert.deepEqual(expected.map((e) => e.case), inputs.map((c) => c.case), "expected.jsonl lists the input cases in order");
  for (let i = 0; i < actual.length; i++) {
    assert.deepEqual(actual[i], expected[i], `case ${inputs[i].case} (${inputs[i].note})`);
  }
});

test("medical < and > that are not tags come through unchanged", () => {
  const keep = [
    "BP < 90 mmHg", "x<5", "<0.05", "pH<7.2", "K+ > 5.5", "a<b and c>d", "<1 year", "p<.001", "p <0.001 and >95%",
    "<or = 6 or>", "<or=3cm vs>", "</=0.49)", "<APS+Trait", "<BLIPS (p=0.024)", "5<x<10", "a <b and c> d", "<= 5 and >= 6",
    "A -> B <- C", "<3 weeks", "<i.e. before>", "<COVID-19>", "Given <input>, return <output>", "<noinput>", "if a<b, b>c",
    "<p=0.05>", "<p = 0.05 and q>", "Na<135>", "T<sub", "<a", "1 < 2 > 0",
  ];
  for (const s of keep) assert.equal(cleanText(s), s, JSON.stringify(s));
});

test("tags are stripped next to comparisons, and entities decode after stripping", () => {
  assert.equal(cleanText("<b>BP</b> < 90 mmHg"), "BP < 90 mmHg");
  assert.equal(cleanText("p<i>x</i><0.05"), "px<0.05");
  assert.equal(cleanText("&lt;b&gt;"), "<b>");
  assert.equal(cleanText("&amp;lt;"), "&lt;");
  assert.equal(cleanText("P&lt.0001"), "P<.0001");
  assert.equal(cleanText("Fever<br>Rash<br/>Itch<br />"), "Fever\nRash\nItch");
  assert.equal(cleanText("<ul><li>one</li><li>two</li></ul>"), "- one\n- two");
  assert.equal(cleanText("<p>One.</p><p>Two.</p>"), "One.\n\nTwo.");
});

test("cleaning is idempotent on every golden output", () => {
  for (const c of inputs) {
    const once = cleanItem(c.item).item;
    const twice = cleanItem(once);
    if (c.idempotent === false) {
      // only encoded markup may change again, and the first output must show why
      assert.ok(textsOf(once).some((t) => /&[#A-Za-z]|<[A-Za-z/]/.test(t)), `case ${c.case} is marked non-idempotent but has no markup left`);
      continue;
    }
    assert.deepEqual(twice.changed, [], `case ${c.case}: a second clean changed ${twice.changed.join(", ")}`);
    assert.equal(twice.item, once, `case ${c.case}: a second clean returned a new object`);
  }
});

test("the fast path is exact: cleanText equals the full pipeline on every fixture text, before and after", () => {
  for (const c of inputs) {
    for (const s of [...textsOf(c.item), ...textsOf(cleanItem(c.item).item)]) {
      assert.equal(cleanText(s), cleanTextFull(s), JSON.stringify(s));
    }
  }
});

// Pieces of realistic dirty text; encoded "<" and "&" are followed by a space so no random join encodes markup.
const TOKENS = [
  "a", "Z", "mg", "10", "0.05", "-", "- ", " ", "  ", "\t", "\n", "\n\n\n", "\r\n", "\r", "<", ">", "=", ";", "#", "&", "\"", "'",
  "<b>", "</b>", "<br/>", "<p>", "</p>", "<li>", "<ul>", "</ul>", "<ol>", "</li>", "<span class=\"x\">", "</span>", "<sup>", "</sup>",
  "<!-- c -->", "<script>x</script>", "<a href=\"", "<input>", "</output>", "<o:p>", "&amp; ", "&lt; ", "&gt; ", "&nbsp;", "&#176;",
  "&#x3b1;", "&alpha;", "&foo;", "&#8203;", "&#150;", "x<5", "BP < 90", "K+ > 5.5", "<1 year", "\u00a0", "\u2009", "\u200b", "\u200d",
  "\u00ad", "\ufeff", "\u0000", "\u0007", "\u000c", "\u0092", "e\u0301", "o\u0308", "\u0301", "é", "°C", "µg", "\u2028", "\u2029",
  "\u3000", "\u{1F469}", "\u2695", "\u212a", "ß", "日本",
];

function randomText(rng: Rng): string {
  const n = 1 + rng.int(40);
  let s = "";
  for (let i = 0; i < n; i++) s += TOKENS[rng.int(TOKENS.length)];
  return s;
}

test("seeded random strings: idempotent, fast path exact, output invariants hold", () => {
  const rng = new Rng("clean-property");
  for (let k = 0; k < 400; k++) {
    const s = randomText(rng);
    const once = cleanText(s);
    const label = `random #${k}: ${JSON.stringify(s)} -> ${JSON.stringify(once)}`;
    assert.equal(cleanTextFull(s), once, label);
    assert.equal(cleanText(once), once, label);
    assert.equal(cleanTextFull(once), once, label);
    assert.equal(once, once.normalize("NFC"), label);
    assert.doesNotMatch(once, /[\x00-\x09\x0B-\x1F\x7F-\x9F\u00A0\u00AD\u200B\u2028\u2029\u3000\uFEFF]/, label);
    assert.doesNotMatch(once, / {2}| \n|\n |\n{3}|^\s|\s$/, label);
  }
});

test("whitespace: each run of spaces and line breaks tidies as the four-step rule does, on seeded strings", () => {
  // the rule as first written: collapse spaces, drop spaces around breaks, at most one blank line, trim the ends
  const reference = (s: string) =>
    s.replace(/ {2,}/g, " ").replace(/ ?\n ?/g, "\n").replace(/\n{3,}/g, "\n\n").replace(/^[ \n]+|[ \n]+$/g, "");
  const pieces = [" ", "  ", "\n", "\n\n", "\n\n\n", " \n ", "a", "word", "-", "."];
  const rng = new Rng("clean-whitespace");
  for (let k = 0; k < 20000; k++) {
    let s = "";
    for (let n = rng.int(14); n > 0; n--) s += pieces[rng.int(pieces.length)];
    assert.equal(cleanText(s), reference(s), JSON.stringify(s));
  }
});

test("cleanItem returns the same object when nothing changes, never mutates its input, keeps the first raw", () => {
  const clean: QAItem = { id: "x", source: "s", kind: "open", question: "What is 5 < 7?", answer: "Yes.", metadata: {} };
  const r = cleanItem(clean);
  assert.equal(r.item, clean);
  assert.deepEqual(r.changed, []);

  const dirty: QAItem = {
    id: "y", source: "s", kind: "mcq", question: "<b>Q</b>", answer: "B ",
    options: [{ label: "A", text: "one" }, { label: "B", text: "two  " }], metadata: { k: 1 }, raw: { question: "first original" },
  };
  const before = JSON.stringify(dirty);
  const d = cleanItem(dirty);
  assert.equal(JSON.stringify(dirty), before, "input item untouched");
  assert.deepEqual(d.changed, ["question", "options", "answer"]);
  assert.equal(d.item.question, "Q");
  assert.equal(d.item.answer, "B");
  assert.deepEqual(d.item.raw, { question: "first original", options: dirty.options, answer: "B " });
  assert.equal(d.item.options![0], dirty.options![0], "unchanged options are shared, not copied");
  assert.equal(d.item.metadata, dirty.metadata);
});

test("entity table: common medical names, numeric references as WHATWG decodes them, unknown names kept", () => {
  const want: Record<string, string> = {
    nbsp: "\u00a0", amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'", deg: "°", micro: "\u00b5", mu: "\u03bc", plusmn: "±",
    times: "×", le: "≤", ge: "≥", alpha: "α", beta: "β", omega: "ω", Omega: "Ω", Delta: "Δ", sigmaf: "ς", reg: "®", trade: "™",
    ndash: "–", mdash: "—", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", hellip: "…", frac12: "½", sup2: "²", male: "♂",
    female: "♀", rarr: "→", uarr: "↑", darr: "↓", rlhar: "⇌", ne: "≠", asymp: "≈", infin: "∞", minus: "−", yuml: "ÿ", Aacute: "Á",
  };
  for (const [name, ch] of Object.entries(want)) assert.equal(HTML_ENTITIES.get(name), ch, name);
  for (const [name, ch] of HTML_ENTITIES) assert.equal([...ch].length, 1, `&${name}; decodes to one character`);
  assert.ok(HTML_ENTITIES.size > 500, `table has ${HTML_ENTITIES.size} names`);
  assert.equal(decodeHtmlEntities("&#0;|&#x110000;|&#xD800;|&#150;|&#x41;|&#65;"), "\ufffd|\ufffd|\ufffd|–|A|A");
  assert.equal(decodeHtmlEntities("&foo; &Alpha &ltx &lt; &lt"), "&foo; &Alpha &ltx < <");
  assert.equal(decodeHtmlEntities("&amp;amp;"), "&amp;");
});

// Whitespace-separated tokens, NFC: cleaning plain text may only change whitespace and normalization.
function tokens(s: string): string[] {
  return s.normalize("NFC").split(/\s+/).filter(Boolean);
}

test("MedQA questions need (almost) no cleaning, and every token, number, unit and <,> survives", (t) => {
  const path = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  if (!path) return;
  const questions = readJsonl<{ question: string; options: Record<string, string> }>(path).slice(0, 200);
  assert.equal(questions.length, 200);
  let unchanged = 0;
  for (const q of questions) {
    for (const s of [q.question, ...Object.values(q.options)]) {
      const c = cleanText(s);
      if (c === s) unchanged++;
      assert.deepEqual(tokens(c), tokens(s), `tokens of ${JSON.stringify(s.slice(0, 80))}`);
      assert.deepEqual(c.match(/[0-9]+|[<>%°]/g), s.match(/[0-9]+|[<>%°]/g));
    }
  }
  const total = questions.length * 5;
  assert.ok(unchanged / total >= 0.95, `${unchanged}/${total} texts came through unchanged`);
});

test("PubMedQA and MedMCQA: every non-tag < and > and every number survives cleaning", (t) => {
  const pubmed = sharedPath(t, "data/pubmedqa/ori_pqal.json");
  const medmcqa = sharedPath(t, "data/medmcqa/dev_shared_half.jsonl");
  if (!pubmed || !medmcqa) return;
  const texts: string[] = [];
  for (const r of Object.values(JSON.parse(readFileSync(pubmed, "utf8")) as Record<string, { QUESTION: string; CONTEXTS: string[]; LONG_ANSWER: string }>)) {
    texts.push(r.QUESTION, r.LONG_ANSWER, ...r.CONTEXTS);
  }
  for (const r of readJsonl<Record<string, unknown>>(medmcqa)) {
    for (const k of ["question", "opa", "opb", "opc", "opd", "exp"]) if (typeof r[k] === "string") texts.push(r[k] as string);
  }
  const comparisons = (s: string) => (s.match(/<(?![A-Za-z!/?])|(?<![A-Za-z"'/-])>/g) ?? []).length;
  const numbers = (s: string) => (s.match(/[0-9]+(?:\.[0-9]+)?/g) ?? []).join(" ");
  let changed = 0;
  for (const s of texts) {
    const c = cleanText(s);
    if (c !== s) changed++;
    assert.ok(comparisons(c) >= comparisons(s), `lost a comparison: ${JSON.stringify(s.slice(0, 120))} -> ${JSON.stringify(c.slice(0, 120))}`);
    assert.equal(numbers(c), numbers(s), `numbers changed in ${JSON.stringify(s.slice(0, 120))}`);
    assert.equal(cleanText(c), c, "idempotent on real data");
  }
  assert.ok(changed > 0, "some real texts need cleaning (HTML in MedMCQA explanations)");
});
