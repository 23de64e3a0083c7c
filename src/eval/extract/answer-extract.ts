// Answer extraction from free-text (chain-of-thought) outputs: the chosen option letter of an MCQ, or yes/no/maybe.
// Explicit answer statements ("the answer is (C)", "Answer: C", "I would choose option B", "B is correct",
// \boxed{C}) are collected with their positions and the last one wins; then a lone letter line, then the option
// text; anything else is unparsed with a reason, so an extraction audit can list every miss and why.
import { MedtuneError } from "../../core/index.ts";

/** What extraction found: the answer (an option label or yes/no/maybe), how, and why not or what to double-check. */
export interface ExtractionResult {
  answer: string | null;
  method: string;
  reason?: string;
}

/** An MCQ option as extraction sees it. */
export interface ChoiceOption {
  label: string;
  text: string;
}

/** Option labels assumed when only the letters are known and none are given (the ten of data's OPTION_LABELS). */
export const DEFAULT_CHOICE_LABELS: readonly string[] = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"];

interface Candidate {
  index: number;
  letters: string[];
  method: string;
  note?: string;
}

interface Ctx {
  labels: string[];
  /** Normalized option text per label ("" when unknown). */
  texts: Map<string, string>;
  ignored: string[];
  rejected: string[];
}

// Words that may follow a bare answer letter in running text ("the answer is C because ...").
const CONNECTIVES = new Set([
  "because", "since", "as", "which", "and", "or", "but", "is", "was", "would", "will", "with", "for", "given", "due",
  "here", "there", "so", "in", "on", "at", "from", "by", "being", "seems", "appears", "option",
  "choice", "answer", "has", "best", "correct", "right", "makes", "fits", "explains", "accounts", "describes", "also",
]);

const SLOT = String.raw`(?<kw>(?:option|choice|letter|answer)\s*)?(?<open>[(\[{"'“‘])?[ \t]*(?<letter>[A-Za-z])[ \t]*(?<close>[)\]}"'”’])?(?![\p{L}\p{N}])`;
const ADVERB = String.raw`(?:(?:therefore|thus|then|so|definitely|clearly|probably|likely|most\s+likely|indeed|actually|still|simply|obviously|certainly|i\s+(?:think|believe|guess)(?:\s+it(?:'s|\s+is))?)\s*[:,]?\s+)?`;
const ANSWER_VERB = String.raw`(?:\s+here|\s+then|\s*,\s*(?:therefore|then|thus|i\s+think|i\s+believe|in\s+my\s+opinion)\s*,)?(?:\s+(?:is|would\s+be|will\s+be|should\s+be|must\s+be|seems\s+to\s+be|appears\s+to\s+be)\s*[:\-–—]?|\s*(?:=>|->|→|[:=\-–—]))`;
const ANSWER_INTRO = String.raw`\banswer(?:\s+(?:choice|option)\b)?(?:\s+to\s+(?:this|the)\s+question)?${ANSWER_VERB}\s*${ADVERB}`;
const ANSWER_LINE_INTRO = String.raw`(?:^|\n)[ \t]*(?:(?:final|correct|my|best)\s+)?answer(?:\s+(?:choice|option)\b)?[ \t]+`;
const OPTION_INTRO = String.raw`\b(?:correct|right|best|most\s+(?:likely|appropriate|accurate)|true|final|only\s+correct|single\s+best)\s+(?:option|choice|response|selection|letter|alternative)(?:${ANSWER_VERB}|\s+)\s*${ADVERB}`;
const CHOOSE_INTRO = String.raw`\b(?:choose|chose|select|pick|go\s+with|going\s+with|opt\s+for|settle\s+on|mark)\s+`;
const BELIEF_INTRO = String.raw`\b(?:i\s+(?:think|believe|guess|suspect|would\s+say|'d\s+say|am\s+confident|'m\s+confident)|my\s+(?:guess|pick|choice|selection)\s+(?:is|would\s+be))\s+(?:that\s+)?(?:it(?:'s|\s+is|\s+would\s+be|\s+must\s+be)\s+)?`;
const CONCLUDE_INTRO = String.raw`\b(?:therefore|thus|hence|so|overall|in\s+conclusion|in\s+summary|conclusion)\s*[,:]?\s*`;

const RE = {
  answer: new RegExp(ANSWER_INTRO + SLOT, "dgiu"),
  answerLine: new RegExp(ANSWER_LINE_INTRO + SLOT, "dgiu"),
  // "the answer is not A, but C" / "the correct answer is not A; it's C".
  answerNot: new RegExp(String.raw`${ANSWER_INTRO}not\s+(?:option\s+)?[(\[]?[A-Za-z][)\]]?\s*[,;.]?\s*(?:but\s+(?:rather\s+)?|it(?:'s|\s+is)\s+|rather\s+|instead\s+)` + SLOT, "dgiu"),
  option: new RegExp(OPTION_INTRO + SLOT, "dgiu"),
  choose: new RegExp(CHOOSE_INTRO + SLOT, "dgiu"),
  conclude: new RegExp(CONCLUDE_INTRO + SLOT, "dgiu"),
  belief: new RegExp(BELIEF_INTRO + SLOT, "dgiu"),
  // "Réponse : C", "答案：C": a line ending in a colon and a lone letter, whatever the language.
  colon: new RegExp(String.raw`[:：][ \t]*(?<open>[(\[])?(?<letter>[A-Z])(?<close>[)\]])?[ \t]*\.?[ \t]*(?=\n|$)`, "dgu"),
  answerText: new RegExp(String.raw`(?:${ANSWER_INTRO}|${OPTION_INTRO})(?<phrase>[^\n]{1,200})`, "dgiu"),
  assertion: new RegExp(
    String.raw`(?<![\p{L}\p{N}])(?<kw>(?:option|choice|answer)\s+)?(?<open>[(\[])?(?<letter>[A-Za-z])(?<close>[)\]])?\.?\s+(?:is|would\s+be|seems\s+to\s+be|appears\s+to\s+be|must\s+be|should\s+be)\s+(?:(?:definitely|clearly|therefore|thus|indeed|also|certainly|most\s+likely|likely|probably)\s+)?(?:the\s+)?(?:(?:(?:single\s+)?best|most\s+likely|most\s+appropriate|likely|correct|right|final|true)\s+(?:answer|option|choice|response|diagnosis)\b|(?:most\s+)?(?:correct|right|accurate|appropriate|reasonable)\b|true\b|best\b|closest\b|preferred\b|answer\b|one\b)`,
    "dgu",
  ),
  plural: new RegExp(
    String.raw`(?<![\p{L}\p{N}])(?:(?:[Oo]ptions?|[Cc]hoices?|[Bb]oth)\s+)?[(\[]?(?<first>[A-Z])[)\]]?(?<more>(?:\s*(?:,|&|\/|\band\b|\bor\b)\s*(?:options?\s+)?[(\[]?[A-Z][)\]]?(?![\p{L}\p{N}]))+)\s+(?:are|were)\s+(?:both\s+|all\s+)?(?:correct|right|true|valid)\b`,
    "dgu",
  ),
  boxed: /\\boxed\s*\{\s*(?:\\(?:text|textbf|mathrm)\s*\{\s*)?\(?\s*([A-Za-z])\s*\)?\s*\}/gu,
};

const NEGATIVE_AFTER = /^[ \t]*[)\].]?[ \t]*(?:is|are|was|were|would\s+be|seems|appears|can\s+be|could\s+be|should\s+be|must\s+be)\s+(?:not\b|never\b|in(?:correct|appropriate|valid|accurate)\b|wrong\b|false\b|unlikely\b|less\s+likely\b|ruled\s+out\b|excluded\b|eliminated\b|a\s+distractor\b|a\s+trap\b)/i;
const NEGATION_BEFORE = /(?:\bnot|\bnever|n't|\bcannot|\bhardly|\brather\s+than|\binstead\s+of)\s+(?:\w+\s+)?$/i;
const HYPOTHETICAL_BEFORE = /\b(?:if|whether|unless|assume|assuming|suppose|supposing|not\s+sure\s+(?:if|whether|that)|doubt\s+that|unlikely\s+that|wrong\s+to\s+say)\s+(?:the\s+)?(?:(?:option|choice)\s+)?[(\[]?$/i;
// A bare letter right after a word is usually part of a name ("hepatitis B", "vitamin D"), unless the word is one
// of these.
const LEAD_WORDS = new Set(["so", "thus", "therefore", "hence", "then", "and", "but", "think", "believe", "say", "conclude", "that", "feel", "guess", "means", "clearly", "definitely", "only", "whereas", "while", "why", "answer", "option", "options", "choice", "choices", "is", "both", "either"]);
function isAfterNameWord(before: string): boolean {
  const m = /(?<w>[\p{L}\p{N}]+)[ \t]+(?:both[ \t]+)?$/u.exec(before);
  return m !== null && !LEAD_WORDS.has(m.groups!.w.toLowerCase());
}
const LIST_NEXT = /^\s*(?:,|&|\/|\band\/or\b|\band\b|\bor\b)\s*(?:(?:option|choice)\s+)?(?<open>[(\[])?(?<letter>[A-Za-z])(?<close>[)\]])?(?![\p{L}\p{N}])/iu;

/** Lowercase, NFKC, every run of non-letters/digits to one space: the form option texts are compared in. */
export function normalizeForMatch(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/** Markdown and LaTeX noise removed, line endings and whitespace unified, NFKC (full-width letters become ASCII). */
function clean(output: string): string {
  return output
    .normalize("NFKC")
    .replace(/\r\n?/g, "\n")
    .replace(/[*`]+/g, "")
    .replace(/__/g, "")
    .replace(/^[ \t]*#{1,6}[ \t]*/gm, "")
    .replace(/\\\(|\\\)|\\\[|\\\]|\$/g, " ")
    // Whitespace runs collapsed (at most one blank line), which also keeps every pattern linear on degenerate output.
    .replace(/[^\S\n]+/g, " ")
    .replace(/ ?\n ?/g, "\n")
    .replace(/\n{3,}/g, "\n\n");
}

function resolveOptions(options: readonly ChoiceOption[] | readonly string[]): Ctx {
  const list: ChoiceOption[] = options.map((o) => (typeof o === "string" ? { label: o, text: "" } : o));
  if (list.length < 2) throw new MedtuneError("eval.extract.bad-options", `answer extraction needs at least 2 options, got ${list.length}`);
  const labels: string[] = [];
  const texts = new Map<string, string>();
  for (const o of list) {
    const l = o.label.trim().toUpperCase();
    if (!/^[A-Z]$/.test(l)) {
      throw new MedtuneError("eval.extract.bad-options", `option label "${o.label}" is not a single letter`, { hint: "extraction reads option letters A-Z; map numbered options to letters first" });
    }
    if (texts.has(l)) throw new MedtuneError("eval.extract.bad-options", `option label "${l}" appears twice`);
    labels.push(l);
    texts.set(l, normalizeForMatch(o.text));
  }
  return { labels, texts, ignored: [], rejected: [] };
}

function labelRange(ctx: Ctx): string {
  return ctx.labels.length > 2 ? `${ctx.labels[0]}-${ctx.labels[ctx.labels.length - 1]}` : ctx.labels.join(", ");
}

/** Whether a letter read from a slot is meant as an option letter, judging by what follows it. */
function acceptLetter(letter: string, isStrong: boolean, rest: string, ctx: Ctx): boolean {
  if (isStrong) return true;
  const isLower = letter !== letter.toUpperCase();
  if (/^[ \t]*(?:$|\n|[.,;:!?)\]}])/.test(rest)) return true;
  const word = /^[ \t]+(?<w>[\p{L}][\p{L}'-]*)/u.exec(rest)?.groups?.w;
  if (word === undefined) return !isLower; // "C - metformin", "C (metformin)"
  const w = word.toLowerCase();
  if (CONNECTIVES.has(w)) return !(isLower && (letter === "a" || letter === "i"));
  // "the answer is C Metformin": the word starts the option's own text.
  const text = ctx.texts.get(letter.toUpperCase()) ?? "";
  return text !== "" && text.split(" ")[0] === normalizeForMatch(word);
}

/** Reads further letters of a list after the first ("B, C or D"); valid labels only. */
function readList(rest: string, ctx: Ctx): string[] {
  const out: string[] = [];
  let r = rest;
  for (;;) {
    const m = LIST_NEXT.exec(r);
    if (m === null) break;
    const g = m.groups!;
    const after = r.slice(m[0].length);
    const letter = g.letter;
    const isStrong = g.open !== undefined || g.close !== undefined;
    if (!isStrong && letter !== letter.toUpperCase() && !/^[ \t]*(?:$|\n|[.,;:!?)\]])/.test(after)) break;
    if (NEGATIVE_AFTER.test(after)) break;
    if (!acceptLetter(letter, isStrong, after, ctx)) break;
    const L = letter.toUpperCase();
    if (ctx.labels.includes(L)) out.push(L);
    r = after;
  }
  return out;
}

/** Turns one slot match into a candidate, or records why it was not one. */
function slotCandidate(text: string, m: RegExpMatchArray, method: string, ctx: Ctx, requireTerminal = false): Candidate | null {
  const g = m.groups!;
  const letter = g.letter;
  const index = m.index!;
  const end = index + m[0].length;
  const rest = text.slice(end);
  const isStrong = g.kw !== undefined || g.open !== undefined || g.close !== undefined;
  if (NEGATIVE_AFTER.test(rest)) {
    ctx.rejected.push(`"${snippet(text, index, end)}" is a negative statement`);
    return null;
  }
  if (requireTerminal && g.open === undefined && g.close === undefined && !/^[ \t]*(?:$|\n|[.!;])/.test(rest)) return null;
  if (!acceptLetter(letter, isStrong, rest, ctx)) return null;
  const before = text.slice(Math.max(0, index - 40), index);
  if (NEGATION_BEFORE.test(before) || HYPOTHETICAL_BEFORE.test(before)) {
    ctx.rejected.push(`"${snippet(text, index, end)}" is negated or hypothetical`);
    return null;
  }
  const L = letter.toUpperCase();
  if (!ctx.labels.includes(L)) {
    ctx.ignored.push(`${method} names ${L}, outside the options ${labelRange(ctx)}`);
    return null;
  }
  const letters = [L, ...readList(rest, ctx).filter((x) => x !== L)];
  return { index: letterIndex(m), letters, method, note: textConflict(L, rest, ctx) };
}

/** A note when the text right after the letter is another option's text ("(B) Metformin" where Metformin is C). */
function textConflict(letter: string, rest: string, ctx: Ctx): string | undefined {
  const head = normalizeForMatch(rest.split("\n")[0] ?? "");
  if (head === "") return undefined;
  const own = ctx.texts.get(letter) ?? "";
  if (own !== "" && startsWithWords(head, own)) return undefined;
  for (const [l, t] of ctx.texts) {
    if (l !== letter && t !== "" && startsWithWords(head, t) && !(own !== "" && startsWithWords(own, t))) {
      return `letter ${letter} is followed by the text of option ${l}`;
    }
  }
  return undefined;
}

/** Where the answer letter of a match sits: candidates are ordered by it, so the last stated answer wins. */
function letterIndex(m: RegExpMatchArray): number {
  return m.indices?.groups?.letter?.[0] ?? m.index!;
}

function startsWithWords(haystack: string, needle: string): boolean {
  return haystack === needle || haystack.startsWith(needle + " ");
}

function snippet(text: string, start: number, end: number): string {
  return text.slice(Math.max(0, start), Math.min(text.length, end + 10)).replace(/\s+/g, " ").trim();
}

/** The options whose normalized text occurs in `hay` (padded by spaces), dropping ones only seen inside a longer option's match. */
function optionMentions(hay: string, ctx: Ctx): string[] {
  const padded = ` ${hay} `;
  const spans = new Map<string, Array<[number, number]>>();
  for (const [l, t] of ctx.texts) {
    if (t === "") continue;
    const needle = ` ${t} `;
    const found: Array<[number, number]> = [];
    for (let i = padded.indexOf(needle); i >= 0; i = padded.indexOf(needle, i + 1)) found.push([i, i + needle.length]);
    if (found.length > 0) spans.set(l, found);
  }
  const out: string[] = [];
  for (const [l, list] of spans) {
    const inside = list.every(([s, e]) =>
      [...spans].some(([l2, list2]) => l2 !== l && ctx.texts.get(l2)!.length > ctx.texts.get(l)!.length && list2.some(([s2, e2]) => s2 <= s && e <= e2)),
    );
    if (!inside) out.push(l);
  }
  return out.sort();
}

/** The option whose text the phrase starts with (longest wins); null if none or if two different texts tie. */
function optionAtStart(phrase: string, ctx: Ctx): string | null {
  const p = normalizeForMatch(phrase);
  let best: string | null = null;
  let bestLen = 0;
  let isTie = false;
  for (const [l, t] of ctx.texts) {
    if (t === "" || !startsWithWords(p, t)) continue;
    if (t.length > bestLen) {
      best = l;
      bestLen = t.length;
      isTie = false;
    } else if (t.length === bestLen) isTie = true;
  }
  return isTie ? null : best;
}

const LETTER_LINE = /^[ \t]*(?:(?:option|choice|answer)[ \t]*[:\-]?[ \t]*)?(?<open>[(\[])?(?<letter>[A-Za-z])(?:(?<close>[)\]])[.:]?|[.:]|[ \t]+[-–—:])(?:[ \t]+(?<rest>.*))?$|^[ \t]*(?:(?:option|choice|answer)[ \t]*[:\-]?[ \t]*)?(?<open2>[(\[])?(?<letter2>[A-Za-z])(?<close2>[)\]])?[ \t]*[.!]?[ \t]*$/diu;

/** A line that is just an option letter, optionally with that option's text ("C", "(C)", "C) Metformin"). */
function letterLine(line: string, ctx: Ctx): { letter: string; offset: number; isValid: boolean } | null {
  const m = LETTER_LINE.exec(line);
  if (m === null) return null;
  const g = m.groups!;
  const letter = (g.letter ?? g.letter2).toUpperCase();
  const offset = (m.indices?.groups?.letter ?? m.indices?.groups?.letter2)?.[0] ?? 0;
  const rest = (g.rest ?? "").trim();
  if (!ctx.labels.includes(letter)) return { letter, offset, isValid: false };
  if (rest === "") return { letter, offset, isValid: true };
  const own = ctx.texts.get(letter) ?? "";
  if (own !== "") return { letter, offset, isValid: startsWithWords(normalizeForMatch(rest), own) };
  return { letter, offset, isValid: !/^(?:is|are|was|were|would|can|could|does|do|has|have|not|incorrect|wrong|false)\b/i.test(rest) };
}

function statementCandidates(text: string, ctx: Ctx): Candidate[] {
  const out: Candidate[] = [];
  const add = (c: Candidate | null): void => {
    if (c !== null) out.push(c);
  };
  for (const m of text.matchAll(RE.answer)) add(slotCandidate(text, m, "answer-statement", ctx));
  for (const m of text.matchAll(RE.answerLine)) add(slotCandidate(text, m, "answer-statement", ctx, true));
  for (const m of text.matchAll(RE.answerNot)) add(slotCandidate(text, m, "answer-statement", ctx));
  for (const m of text.matchAll(RE.option)) add(slotCandidate(text, m, "option-statement", ctx));
  for (const m of text.matchAll(RE.choose)) add(slotCandidate(text, m, "choice-statement", ctx));
  for (const m of text.matchAll(RE.conclude)) add(slotCandidate(text, m, "conclusion", ctx, true));
  for (const m of text.matchAll(RE.belief)) add(slotCandidate(text, m, "belief-statement", ctx));
  for (const m of text.matchAll(RE.colon)) add(slotCandidate(text, m, "label-after-colon", ctx, true));
  for (const m of text.matchAll(RE.assertion)) {
    const g = m.groups!;
    if (g.kw === undefined && g.open === undefined && g.letter !== g.letter.toUpperCase()) continue;
    const before = text.slice(Math.max(0, m.index! - 40), m.index!);
    if (g.kw === undefined && g.open === undefined && isAfterNameWord(before)) continue;
    if (NEGATION_BEFORE.test(before) || HYPOTHETICAL_BEFORE.test(before)) {
      ctx.rejected.push(`"${snippet(text, m.index!, m.index! + m[0].length)}" is negated or hypothetical`);
      continue;
    }
    const L = g.letter.toUpperCase();
    if (!ctx.labels.includes(L)) {
      ctx.ignored.push(`assertion names ${L}, outside the options ${labelRange(ctx)}`);
      continue;
    }
    out.push({ index: letterIndex(m), letters: [L], method: "assertion" });
  }
  for (const m of text.matchAll(RE.plural)) {
    if (isAfterNameWord(text.slice(Math.max(0, m.index! - 40), m.index!))) continue;
    const letters = [m.groups!.first, ...[...m.groups!.more.matchAll(/[A-Z]/g)].map((x) => x[0])].filter((l) => ctx.labels.includes(l));
    const unique = [...new Set(letters)];
    if (unique.length > 0) out.push({ index: m.indices?.groups?.first?.[0] ?? m.index!, letters: unique, method: "assertion" });
  }
  for (const m of text.matchAll(RE.boxed)) {
    const L = m[1].toUpperCase();
    if (ctx.labels.includes(L)) out.push({ index: m.index!, letters: [L], method: "boxed" });
    else ctx.ignored.push(`boxed answer ${L} is outside the options ${labelRange(ctx)}`);
  }
  for (const m of text.matchAll(RE.answerText)) {
    const phrase = m.groups!.phrase;
    const l = optionAtStart(phrase, ctx);
    if (l !== null) out.push({ index: m.indices?.groups?.phrase?.[0] ?? m.index!, letters: [l], method: "answer-text" });
  }
  return out;
}

/** The chosen option label in a free-text answer; pass the item's options (with texts) or just their labels. */
export function extractChoice(output: string, options: readonly ChoiceOption[] | readonly string[] = DEFAULT_CHOICE_LABELS): ExtractionResult {
  const ctx = resolveOptions(options);
  const text = clean(output);
  if (text.trim() === "") return { answer: null, method: "unparsed", reason: "empty output" };

  const candidates = statementCandidates(text, ctx);
  const lines = text.split("\n").map((l, i) => ({ line: l, i })).filter((x) => x.line.trim() !== "");
  const lineStarts: number[] = [];
  {
    let pos = 0;
    for (const l of text.split("\n")) {
      lineStarts.push(pos);
      pos += l.length + 1;
    }
  }
  const parsedLines = lines.map((x) => ({ ...x, ll: letterLine(x.line, ctx) }));
  // The last line alone names an option, and is not the tail of an enumeration of options.
  const last = parsedLines[parsedLines.length - 1];
  const prev = parsedLines[parsedLines.length - 2];
  if (last?.ll && !ctx.labels.includes(last.ll.letter) && parsedLines.length === 1) {
    ctx.ignored.push(`the output is the letter ${last.ll.letter}, outside the options ${labelRange(ctx)}`);
  }
  if (last?.ll?.isValid && !(prev?.ll?.isValid && prev.ll.letter !== last.ll.letter)) {
    candidates.push({ index: lineStarts[last.i] + last.ll.offset, letters: [last.ll.letter], method: "last-line" });
  }

  if (candidates.length > 0) {
    // At equal positions an explicit statement outranks the weaker readings of the same letter.
    const weight = (m: string): number => (m === "last-line" ? 0 : m === "label-after-colon" ? 1 : 2);
    candidates.sort((a, b) => a.index - b.index || weight(a.method) - weight(b.method));
    const final = candidates[candidates.length - 1];
    if (final.letters.length > 1) {
      return { answer: null, method: "ambiguous", reason: `final answer statement (${final.method}) names several options: ${final.letters.join(", ")}` };
    }
    const answer = final.letters[0];
    const notes: string[] = [];
    if (final.note) notes.push(final.note);
    const changed = [...new Set(candidates.filter((c) => c.letters.length === 1 && c.letters[0] !== answer).map((c) => c.letters[0]))];
    if (changed.length > 0) notes.push(`earlier statements named ${changed.join(", ")}`);
    return notes.length > 0 ? { answer, method: final.method, reason: notes.join("; ") } : { answer, method: final.method };
  }

  // The first line is a lone option letter and no other line looks like an option line.
  const optionLines = parsedLines.filter((x) => x.ll !== null);
  const first = parsedLines[0];
  if (first?.ll?.isValid && optionLines.length === 1) return { answer: first.ll.letter, method: "first-line" };

  // The answer given as option text: the whole output, or its last line, or the only option text mentioned.
  const whole = optionAtStart(text, ctx);
  const wholeNorm = normalizeForMatch(text);
  if (whole !== null && wholeNorm === ctx.texts.get(whole)) return { answer: whole, method: "option-text" };
  if (last !== undefined) {
    const lastNorm = normalizeForMatch(last.line);
    const l = optionAtStart(last.line, ctx);
    if (l !== null && lastNorm === ctx.texts.get(l)) return { answer: l, method: "option-text-line" };
  }
  const mentioned = optionMentions(wholeNorm, ctx);
  const nWords = wholeNorm === "" ? 0 : wholeNorm.split(" ").length;
  if (mentioned.length === 1 && nWords <= 40) return { answer: mentioned[0], method: "option-text-mention" };

  const why: string[] = [];
  if (ctx.ignored.length > 0) why.push(...ctx.ignored);
  if (ctx.rejected.length > 0) why.push(...ctx.rejected.slice(0, 3));
  if (mentioned.length > 1) why.push(`option texts of ${mentioned.join(", ")} mentioned, none stated as the answer`);
  else if (mentioned.length === 1) why.push(`only option ${mentioned[0]}'s text is mentioned, but in a long answer without an answer statement`);
  const letters = [...new Set(optionLines.map((x) => x.ll!.letter).filter((l) => ctx.labels.includes(l)))];
  if (letters.length > 1) why.push(`lines start with options ${letters.join(", ")} (an enumeration, not an answer)`);
  if (why.length === 0) why.push("no answer statement, option letter line or option text found");
  return { answer: null, method: "unparsed", reason: why.join("; ") };
}

// An optional option letter first, for prompts that list "(A) yes (B) no (C) maybe".
const YESNO_SLOT = String.raw`(?:[(\[]?[A-Ca-c][)\].:][ \t]*)?[(\["'“‘]?[ \t]*(?<word>yes|no|maybe)(?![\p{L}\p{N}])`;
const YESNO_RE = {
  statement: new RegExp(
    String.raw`(?:\b(?:answer|decision|conclusion|verdict|response)(?:\s+to\s+(?:this|the)\s+question)?${ANSWER_VERB}|\bi\s+would\s+say|\bi'd\s+say)\s*${ADVERB}${YESNO_SLOT}`,
    "dgiu",
  ),
  boxed: /\\boxed\s*\{\s*(?:\\(?:text|textbf|mathrm)\s*\{\s*)?(yes|no|maybe)\s*\}/giu,
  first: /^\s*(?:answer\s*[:\-]\s*)?(?<word>yes|no|maybe)(?:\s*(?:$|[.,!;:\n]|[-–—]))/iu,
  lastLine: /^[ \t]*(?:(?:final\s+)?answer[ \t]*[:\-][ \t]*)?(?:[(\[]?[A-Ca-c][)\].:][ \t]*)?[(\["']?(?<word>yes|no|maybe)[)\]"']?[ \t]*[.!]?[ \t]*$/iu,
  list: /^\s*(?:,|\/|\bor\b|\band\b)\s*(?:yes|no|maybe)(?![\p{L}\p{N}])/iu,
  colon: /[:：][ \t]*[(\["']?(?<word>yes|no|maybe)[)\]"']?[ \t]*[.!]?[ \t]*(?=\n|$)/dgiu,
};

/** Extracts a yes/no/maybe answer (PubMedQA labels) from a model's free-text output. */
export function extractYesNo(output: string): ExtractionResult {
  const text = clean(output);
  if (text.trim() === "") return { answer: null, method: "unparsed", reason: "empty output" };
  const cands: Array<{ index: number; word: string; method: string; isList: boolean }> = [];
  for (const m of text.matchAll(YESNO_RE.statement)) {
    const before = text.slice(Math.max(0, m.index! - 40), m.index!);
    if (HYPOTHETICAL_BEFORE.test(before)) continue;
    const rest = text.slice(m.index! + m[0].length);
    cands.push({ index: m.indices!.groups!.word[0], word: m.groups!.word.toLowerCase(), method: "answer-statement", isList: YESNO_RE.list.test(rest) });
  }
  for (const m of text.matchAll(YESNO_RE.colon)) cands.push({ index: m.indices!.groups!.word[0], word: m.groups!.word.toLowerCase(), method: "label-after-colon", isList: false });
  for (const m of text.matchAll(YESNO_RE.boxed)) cands.push({ index: m.index!, word: m[1].toLowerCase(), method: "boxed", isList: false });
  const lines = text.split("\n");
  let pos = text.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    pos -= lines[i].length + (i < lines.length - 1 ? 1 : 0);
    if (lines[i].trim() === "") continue;
    const m = YESNO_RE.lastLine.exec(lines[i]);
    if (m !== null) cands.push({ index: Math.max(0, pos), word: m.groups!.word.toLowerCase(), method: "last-line", isList: false });
    break;
  }
  const first = YESNO_RE.first.exec(text);
  if (first !== null) cands.push({ index: 0, word: first.groups!.word.toLowerCase(), method: "first-word", isList: false });
  if (cands.length > 0) {
    // Stable sort; at equal positions an explicit statement outranks the first-word and last-line readings.
    const weight = (m: string): number => (m === "first-word" ? 0 : m === "last-line" ? 1 : m === "label-after-colon" ? 2 : 3);
    cands.sort((a, b) => a.index - b.index || weight(a.method) - weight(b.method));
    const final = cands[cands.length - 1];
    if (final.isList) return { answer: null, method: "ambiguous", reason: `final answer statement names several labels ("${snippet(text, final.index, final.index + 40)}")` };
    const earlier = [...new Set(cands.filter((c) => c.word !== final.word).map((c) => c.word))];
    return earlier.length > 0 ? { answer: final.word, method: final.method, reason: `earlier statements said ${earlier.join(", ")}` } : { answer: final.word, method: final.method };
  }
  const words = new Set([...normalizeForMatch(text).matchAll(/(?:^| )(yes|no|maybe)(?= |$)/g)].map((m) => m[1]));
  const reason = words.size > 0 ? `mentions ${[...words].join(", ")} but states no answer` : "no yes/no/maybe answer found";
  return { answer: null, method: "unparsed", reason };
}
