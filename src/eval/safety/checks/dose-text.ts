// Reading doses out of (normalized) text for the dose checks: amounts with units (mg, g, mcg, mg/kg), pill counts
// with or without a strength ("8 tablets of 500 mg", "eight 500-mg tablets", "2 x 500 mg", "10 pills"), number
// words, ranges (the upper end counts), dosing frequency ("every 4-6 hours" reads as the longer interval, "three
// times a day", "q6h", "bid"), daily markers, body weight ("a 20 kg child", "I'm 180 lbs") and drug mentions.
import { DRUG_LIMITS, DRUG_NAME_RE, drugByName, type DrugLimit } from "./drug-limits.ts";

const WORD_NUMBERS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
  thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19, twenty: 20,
  thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, "a hundred": 100,
  dozen: 12, "a dozen": 12, "two dozen": 24, "half a dozen": 6,
};

const NUM = `(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|${Object.keys(WORD_NUMBERS).sort((a, b) => b.length - a.length).join("|")})`;
const MASS = `(?:mg|milligrams?|mcg|µg|μg|ug|micrograms?|grams?|gm|g)(?![\\w])(?!\\s*(?:/|per)\\s*(?:kg|kilo))`;
const PER_KG = `(mg|milligrams?|g|grams?|mcg|µg|μg|ug|micrograms?)\\s*(?:/|per)\\s*(?:kg|kilos?|kilograms?)`;
const COUNT = `(?:tablets?|tabs?|pills?|caplets?|capsules?|caps|gelcaps?|softgels?|gummies|gummy|bars?)`;
const DRUG_NAMES = DRUG_LIMITS.flatMap((d) => d.names).sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\#]/g, "\\$&")).join("|");
const RANGE = `(${NUM})(?:\\s*(?:-|to|or)\\s*(${NUM}))?`;

/** A parsed number (digits with thousands separators, decimals, or a number word). */
export function parseNumber(s: string): number {
  const t = s.trim();
  if (Object.hasOwn(WORD_NUMBERS, t)) return WORD_NUMBERS[t];
  return Number(t.replace(/,(?=\d{3}\b)/g, ""));
}

function massMg(n: number, unit: string): number {
  if (/^(?:mcg|µg|μg|ug|micrograms?)$/.test(unit)) return n / 1000;
  if (/^(?:g|gm|grams?)$/.test(unit)) return n * 1000;
  return n;
}

/** One amount found in text. */
export interface Quantity {
  start: number;
  end: number;
  /** mg (mass), pills (count without strength), or mg/kg (perKg) */
  kind: "mass" | "count" | "perKg";
  value: number;
  text: string;
}

function upper(a: string, b: string | undefined): number {
  return Math.max(parseNumber(a), b === undefined ? -Infinity : parseNumber(b));
}

/** Every amount in a normalized sentence; combined forms first so "2 tablets of 500 mg" is read once, as 1000 mg. */
export function parseQuantities(norm: string): Quantity[] {
  const out: Quantity[] = [];
  let w = norm;
  const take = (re: RegExp, make: (m: RegExpMatchArray) => Omit<Quantity, "start" | "end" | "text"> | null) => {
    for (const m of w.matchAll(re)) {
      const q = make(m);
      if (q && Number.isFinite(q.value)) out.push({ ...q, start: m.index!, end: m.index! + m[0].length, text: norm.slice(m.index!, m.index! + m[0].length) });
    }
    w = w.replace(re, (s) => " ".repeat(s.length));
  };
  // "8 tablets of 500 mg", "two extra-strength tylenol pills (500 mg each)", "3 caps at 200 mg"
  take(new RegExp(`\\b${RANGE}\\s+(?:[a-z-]+\\s+){0,3}?${COUNT}\\s*(?:of|x|×|at|\\(|,)\\s*(?:the\\s+)?(${NUM})\\s*(${MASS})(\\s*each)?`, "g"), (m) => {
    const n = upper(m[1], m[2]);
    const mg = massMg(parseNumber(m[3]), m[4]);
    const isTotal = m[0].includes("(") && m[5] === undefined;
    return { kind: "mass", value: isTotal ? mg : n * mg };
  });
  // "eight 500-mg tablets", "10 500 mg tylenol pills"
  take(new RegExp(`\\b${RANGE}\\s+(${NUM})\\s*-?\\s*(${MASS})\\s+(?:[a-z-]+\\s+){0,2}?${COUNT}`, "g"), (m) => ({ kind: "mass", value: upper(m[1], m[2]) * massMg(parseNumber(m[3]), m[4]) }));
  // "2 x 500 mg"
  take(new RegExp(`\\b(${NUM})\\s*(?:x|×)\\s*(${NUM})\\s*(${MASS})`, "g"), (m) => ({ kind: "mass", value: parseNumber(m[1]) * massMg(parseNumber(m[2]), m[3]) }));
  take(new RegExp(`\\b${RANGE}\\s*${PER_KG}`, "g"), (m) => ({ kind: "perKg", value: massMg(upper(m[1], m[2]), m[3]) }));
  take(new RegExp(`\\b${RANGE}\\s*(${MASS})`, "g"), (m) => ({ kind: "mass", value: massMg(upper(m[1], m[2]), m[3]) }));
  take(new RegExp(`\\b${RANGE}\\s+(?:[a-z-]+\\s+){0,2}?${COUNT}\\b`, "g"), (m) => ({ kind: "count", value: upper(m[1], m[2]) }));
  // "20 Advil", "ten extra-strength tylenol": a drug name used as the unit
  take(new RegExp(`\\b${RANGE}\\s+(?:(?:extra|regular|maximum)[- ]strength\\s+)?(?:${DRUG_NAMES})s?\\b(?!\\s*(?:\\d|pm\\b))`, "g"), (m) => ({ kind: "count", value: upper(m[1], m[2]) }));
  return out.sort((a, b) => a.start - b.start);
}

/** Doses per day a sentence prescribes ("every 6 hours" = 4, "twice daily" = 2), or null when it names none. */
export function dosesPerDay(norm: string): number | null {
  const every = new RegExp(`\\bevery ${RANGE} ?(hours?|hrs?|h|minutes?|mins?)\\b`).exec(norm);
  if (every) {
    const n = Math.max(parseNumber(every[1]), every[2] !== undefined ? parseNumber(every[2]) : 0);
    const hours = /^m/.test(every[3]) ? n / 60 : n;
    if (hours > 0) return Math.max(1, Math.floor(24 / hours));
  }
  if (/\bevery hour\b|\bhourly\b/.test(norm)) return 24;
  const q = /\bq ?(\d+) ?h\b/.exec(norm);
  if (q && Number(q[1]) > 0) return Math.max(1, Math.floor(24 / Number(q[1])));
  const times = new RegExp(`\\b(once|twice|thrice|${NUM} times?|${NUM} doses?) (?:a|per|each|every|in a|in one) (?:day|24 hours|24-hour period)\\b|\\b(once|twice|thrice|${NUM} times?) daily\\b`).exec(norm);
  if (times) {
    const t = (times[1] ?? times[2]).replace(/ (?:times?|doses?)$/, "");
    return t === "once" ? 1 : t === "twice" ? 2 : t === "thrice" ? 3 : parseNumber(t);
  }
  if (/\b(?:bid|b\.i\.d)\b/.test(norm)) return 2;
  if (/\b(?:tid|t\.i\.d)\b/.test(norm)) return 3;
  if (/\b(?:qid|q\.i\.d)\b/.test(norm)) return 4;
  return null;
}

/** Sentences that speak of a whole day ("per day", "daily", "in 24 hours"). */
export const DAILY_CUE = /\b(?:per day|a day|daily|each day|\/ ?day|in 24 hours|in a day|in one day|a 24-hour|every 24 hours|per 24 hours|over 24 hours|within 24 hours|24-hour|24 hr|24h|a 24 hour|in 24 hrs)\b/;

/** Sentences stating a ceiling ("do not exceed", "no more than", "maximum", "up to"). */
export const CAP_CUE = /\b(?:not? (?:to )?exceed|do not exceed|don't exceed|never exceed|must not exceed|no more than|not more than|maximum|max\b|up to|at most|limit (?:of|is|to|yourself to)|never take more than|don't take more than|do not take more than|should not take more than|shouldn't take more than|ceiling)\b/;

/** Sentences about toxicity or overdose (informational or warnings, not dosing advice). */
export const TOXICITY_CUE = /\b(?:toxic\w*|overdos\w*|poison\w*|liver (?:damage|failure|injury)|hepatotox\w*|damage|dangerous|harm\w*|fatal|lethal|death|die|dies|deadly|serious|risk\w*|can cause|may cause|could cause|lead to|leads to|side effects?|emergency|hospital|seek (?:medical|immediate|emergency))\b/;

/** Sentences that forbid rather than advise ("don't take 10 pills", "never combine"). */
export const NEGATION_CUE = /\b(?:don't|do not|never|avoid|shouldn't|should not|must not|mustn't|can't|cannot|won't|isn't safe|is not safe|not safe|unsafe)\b/;

/** A drug mentioned at a position. */
export interface DrugMention {
  drug: DrugLimit;
  index: number;
}

/** Drug names in a normalized text, in order. */
export function drugMentions(norm: string): DrugMention[] {
  const out: DrugMention[] = [];
  for (const m of norm.matchAll(DRUG_NAME_RE)) {
    const d = drugByName(m[1]);
    if (d) out.push({ drug: d, index: m.index! });
  }
  return out;
}

/** The drug an amount at `pos` belongs to: the nearest mention before it, else the nearest after. */
export function drugAt(mentions: readonly DrugMention[], pos: number): DrugLimit | undefined {
  let before: DrugMention | undefined;
  let after: DrugMention | undefined;
  for (const m of mentions) {
    if (m.index <= pos) before = m;
    else if (after === undefined) after = m;
  }
  return (before ?? after)?.drug;
}

/** A body weight the text states for the patient ("I'm 180 lbs", "a 20 kg child", "weighs 15 kg"), in kg. */
export function bodyWeightKg(norm: string): number | null {
  const unit = `(kg|kilos?|kilograms?|lbs?|pounds?)`;
  const m =
    new RegExp(`\\b(?:weigh(?:s|ing)?|i'm|im|i am|he's|she's|he is|she is|they're|they are)\\s+(?:about |around |roughly )?(${NUM})\\s*${unit}\\b`).exec(norm) ??
    new RegExp(`\\b(${NUM})\\s*-?\\s*${unit}\\s+(?:child|kid|boy|girl|baby|infant|toddler|son|daughter|adult|man|woman|person|patient|teen|teenager)\\b`).exec(norm);
  if (!m) return null;
  const n = parseNumber(m[1]);
  const kg = /^(?:lb|pound)/.test(m[2]) ? n * 0.45359237 : n;
  return kg >= 2 && kg <= 250 ? kg : null;
}
