// The PHI detectors behind scrubPhi (phi.ts): one or more per HIPAA Safe Harbor identifier family of 45 CFR
// 164.514(b)(2)(i) that occurs in free text. Each detector declares cheap triggers (cue words in their context,
// character features) that every text it can report a hit in shows, and a `find` that runs its full patterns; one
// pass over the characters (triggeredDetectors) tells which detectors can fire at all, so clinical text without PHI
// costs one scan. Patterns compile once, at load; phi.ts resolves overlaps.
import { isIPv6 } from "node:net";
import {
  EPONYM_FOLLOWERS, FIRST_NAMES, INSTITUTION_WORDS, NAME_STOPWORDS, PHRASE_WORDS, STREET_SUFFIXES, TOLL_FREE_AREA_CODES, US_STATE_ABBRS, US_STATE_NAMES,
} from "./phi-lexicon.ts";

/** Identifier types the scrub detects, in report order. */
export const PHI_TYPES = [
  "name", "date", "age", "phone", "fax", "email", "ssn", "mrn", "account", "license", "url", "ip", "address", "zip", "serial",
] as const;
/** One identifier type. */
export type PhiType = (typeof PHI_TYPES)[number];

/** The typed placeholder each identifier is replaced with (ages over 89 become the Safe Harbor 90+ category). */
export const PHI_PLACEHOLDERS: Readonly<Record<PhiType, string>> = {
  name: "[NAME]", date: "[DATE]", age: "[AGE 90+]", phone: "[PHONE]", fax: "[FAX]", email: "[EMAIL]", ssn: "[SSN]",
  mrn: "[MRN]", account: "[ACCOUNT]", license: "[LICENSE]", url: "[URL]", ip: "[IP]", address: "[ADDRESS]", zip: "[ZIP]",
  serial: "[SERIAL]",
};

/** One detected identifier: its type and [start, end) in the text; rank breaks ties between equal spans. */
export interface PhiHit {
  type: PhiType;
  start: number;
  end: number;
  rank: number;
}

/** Settings the detectors read (resolved from PhiOptions by phi.ts). */
export interface DetectSettings {
  /** Keep toll-free numbers (organization help lines). */
  keepTollFree: boolean;
  /** Which URLs to replace: see PhiUrlPolicy in phi.ts. */
  urlPolicy: "patient-context" | "keep-reference" | "all";
  /** Reference hosts (lower case; a URL host equal to one or ending in `.`+one is kept). */
  referenceDomains: readonly string[];
  /** Keep dates of study periods and public events (a sentence about a population or an Act, and no one person). */
  keepNonPersonalDates: boolean;
  /** Year that birth years are measured against (a birth year more than 89 years back is an age over 89). */
  referenceYear: number;
}

/** A cue word that may announce an identifier, with what must surround it for the cue to count. */
export interface PhiCue {
  /** Lower-case words of ASCII letters; a word is a maximal run of ASCII letters, matched case-insensitively. */
  words: readonly string[];
  /** Must match right after the word (compiled sticky). */
  follow?: string;
  /** Must match the text before the word (anchor it with `$`; it is run as a lookbehind). */
  before?: RegExp;
  /** The character right before the word: only "." (the scan checks the word when it meets the dot). */
  prev?: string;
  /** The word must start with a capital (a street suffix, a title). */
  upper?: boolean;
}

/**
 * Character shapes the trigger scan checks where they can start (at a digit run, or at one of @ : # / . -), as bit
 * flags; each names the detector pattern it is a necessary part of.
 */
export const FEATURE = {
  /** `@` (email). */
  at: 1,
  /** `://` (a URL scheme). */
  schemeSlashes: 2,
  /** `:hhhh:` (IPv6, a MAC address with colons). */
  colonHex: 4,
  /** `-hh-hh-hh-` (a MAC address with dashes). */
  hexDashes: 8,
  /** An IPv4 address (IPV4 matches at a digit run). */
  dottedQuad: 16,
  /** `ddd-dd-dddd` (SSN_SHAPE matches at a digit run). */
  ssnDigits: 32,
  /** `S.S.N` (an SSN label). */
  ssnDots: 64,
  /** Two letters and seven digits (a DEA number). */
  deaDigits: 128,
  /** `a/c`, `s/n` (account and serial labels). */
  slashLabel: 256,
  /** `MR#` (a record label). */
  mrHash: 512,
  /** `(ddd) ddd-dddd`, `ddd.ddd.dddd`, `ddd ddd dddd` (a 10-digit phone number). */
  phoneDigits: 1024,
  /** A numeric date (DATE_NUM or DATE_ISO matches at a digit run). */
  dateDigits: 2048,
  /** `D.O.B` (a birth date label). */
  dobDots: 4096,
  /** 90 to 129 followed by `y` (`92-year-old`, `95 yo`), or `90s`, `100's` (an age over 89). */
  age90: 8192,
  /** A letter, spaces and exactly five digits (a ZIP code after a state). */
  zip5: 16384,
  /** `M.D.`, `D.O.`, `Ph.D.` (a credential after a name). */
  degreeDots: 32768,
  /** `on 3/14` (a date after "on"). */
  onMonthDay: 65536,
} as const;

/**
 * A detector: the types it reports, its triggers and the full scan. Every text in which `find` can report a hit
 * holds one of the cues or shows one of the features: texts with neither skip `find` (most texts skip every detector).
 */
export interface PhiDetector {
  name: string;
  types: readonly PhiType[];
  cues: readonly PhiCue[];
  /** FEATURE flags, any of which triggers the detector. */
  features: number;
  /** Appends hits to `out`; `context` is the item text the scanned text belongs with (an option's question). */
  find(text: string, s: DetectSettings, out: PhiHit[], context?: string): void;
}

// In follow-up sources: any capital, or any non-ASCII character (a superset of the capitals \p{Lu} matches).
const UP = "[A-Z\\u00C0-\\uFFFF]";
const F = FEATURE;

// Ranks: an identifier found through its label beats the same span found by its shape alone.
const RANK_SHAPE = 1;
const RANK_CONTEXT = 2;
const RANK_LABEL = 3;

function hit(out: PhiHit[], type: PhiType, start: number, end: number, rank: number): void {
  if (end > start) out.push({ type, start, end, rank });
}

/** Runs a global regex over the text, calling `fn` per match; `fn` may return where the scan resumes. */
function each(re: RegExp, text: string, fn: (m: RegExpExecArray) => number | void): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const resume = fn(m);
    if (typeof resume === "number") re.lastIndex = resume;
    else if (m[0].length === 0) re.lastIndex++;
  }
}

/** [start, end) of capture group `g` of match `m`, when that group ends the match. */
function tailSpan(m: RegExpExecArray, g: number): [number, number] {
  const end = m.index + m[0].length;
  return [end - m[g].length, end];
}

const esc = (w: string): string => w.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const alt = (words: readonly string[]): string => [...words].sort((a, b) => b.length - a.length).map(esc).join("|");
/** `patient` -> `[Pp]atient`: a word as written mid-sentence or at a sentence start. */
const cap = (w: string): string => (/[a-z]/.test(w[0]) ? `[${w[0].toUpperCase()}${w[0]}]${esc(w.slice(1))}` : esc(w));
const caps = (words: readonly string[]): string => [...words].sort((a, b) => b.length - a.length).map(cap).join("|");
/** `mrn` -> `[Mm][Rr][Nn]`: a case-insensitive word inside a case-sensitive regex. */
const ci = (w: string): string =>
  [...w].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c === " " ? "[ \\t]*" : esc(c))).join("");

// Units and counted nouns: a number followed by one of these is a measurement or a count, never an identifier.
const UNIT_AFTER =
  /[ \t]*(?:%|‰|°|[μµu]g\b|mcg|mg|ng|pg|kg|g\b|m[lL]\b|d[lL]\b|[lL]\b|mmol|mEq|meq|mOsm|IU\b|U\b|units?\b|mm\b|cm\b|m\b|km\b|inch(?:es)?\b|in\.|ft\b|lbs?\b|oz\b|mm ?Hg|bpm|\/|min\b|minutes?\b|sec\b|seconds?\b|s\b|hours?\b|hrs?\b|h\b|days?\b|d\b|weeks?\b|wks?\b|months?\b|mos?\b|years?\b|yrs?\b|y\b|x\b|times\b|fold\b|cells\b|copies\b|patients\b|cases\b|subjects\b|people\b|persons\b|children\b|women\b|men\b)/y;
function unitFollows(text: string, at: number): boolean {
  UNIT_AFTER.lastIndex = at;
  return UNIT_AFTER.test(text);
}

// A period after these ends an abbreviation, not a sentence: "U.S. Food and Drug Administration", "Dr. Smith".
const ABBREVIATION_END = /(?:^|[^\p{L}])(?:\p{L}|Dr|Mr|Mrs|Ms|St|No|Fig|vs|al|etc|Inc|Jr|Sr|Prof|approx|e\.g|i\.e)$/u;

/** The sentence around [start, end): back to the previous sentence end or line break, forward to the next. */
function sentenceAround(text: string, start: number, end: number): string {
  let a = start;
  const lo = Math.max(0, start - 400);
  while (a > lo) {
    const c = text[a - 1];
    if (c === "\n") break;
    if ((c === " " || c === "\t") && /[.!?]/.test(text[a - 2] ?? "") && /\p{Lu}/u.test(text[a] ?? "") && !ABBREVIATION_END.test(text.slice(Math.max(0, a - 8), a - 1))) break;
    a--;
  }
  let b = end;
  const hi = Math.min(text.length, end + 400);
  while (b < hi) {
    const c = text[b];
    if (c === "\n") break;
    if (/[.!?]/.test(c) && /\s/.test(text[b + 1] ?? " ") && !/\d/.test(text[b + 2] ?? "") && !ABBREVIATION_END.test(text.slice(Math.max(0, b - 7), b))) break;
    b++;
  }
  return text.slice(a, b);
}

// ---------------------------------------------------------------------------------------------------------------
// Names: only in patient/clinician contexts (titles, roles, labels, signatures, credentials), never "every
// capitalized word": eponyms (Parkinson disease), scientists and drug names must survive.
const NAME_TOKEN = String.raw`(?:\p{Lu}\p{Ll}+(?:\p{Lu}\p{Ll}+)?(?:[-'’]\p{Lu}\p{Ll}+)*|\p{Lu}['’]\p{Lu}\p{Ll}+)`;
const CAPS_TOKEN = String.raw`\p{Lu}{2,}(?:[-'’]\p{Lu}{2,})*`;
const INITIAL = String.raw`\p{Lu}\.`;
const PARTICLE = String.raw`(?:van|von|de|der|den|del|della|di|da|du|la|le|bin|ibn|al|el|dos|das|ter|ten)`;
const run = (tok: string): string =>
  `(?:${PARTICLE}[ \\t]+){0,2}(?:${tok}|${INITIAL})(?:[ \\t]+(?:${PARTICLE}[ \\t]+){0,2}(?:${tok}|${INITIAL})){0,3}`;
const RUN_TITLE = run(NAME_TOKEN);
const RUN_ANY = run(`(?:${NAME_TOKEN}|${CAPS_TOKEN})`);
const LAST_FIRST = `(?:${PARTICLE}[ \\t]+(?:${PARTICLE}[ \\t]+)?)?(?:${NAME_TOKEN}|${CAPS_TOKEN}),[ \\t]*(?:${NAME_TOKEN}|${CAPS_TOKEN})(?:[ \\t]+(?:${NAME_TOKEN}|${INITIAL}))?`;

const STRONG_TITLES = ["Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Messrs"];
// Word titles, "Miss" (also a verb in headlines) and upper-case abbreviations ("MS." also ends "...diagnosed with
// MS.") need a known first name or two name tokens after them.
const WEAK_TITLES = String.raw`(?:Mister|Doctor|Professor|Nurse|Miss|(?:MR|MRS|MS|DR|PROF)\.)`;
const ANY_TITLE = String.raw`(?:(?:${STRONG_TITLES.join("|")})\.?|${WEAK_TITLES})`;
const ROLE_WORDS = [
  "patient", "pt.", "pt", "client", "husband", "wife", "spouse", "partner", "son", "daughter", "mother", "father",
  "brother", "sister", "grandson", "granddaughter", "grandmother", "grandfather", "aunt", "uncle", "niece", "nephew",
  "cousin", "friend", "neighbor", "neighbour", "caregiver", "guardian", "roommate", "boyfriend", "girlfriend",
  "fiance", "fiancee", "mom", "dad",
];
const PERSON_NOUNS = caps([
  "man", "woman", "boy", "girl", "child", "infant", "baby", "patient", "person", "gentleman", "lady", "male", "female",
  "son", "daughter", "teenager", "adolescent", "toddler", "student", "veteran", "newborn", "neonate",
]);
const LABELS = [
  "name", "patient name", "pt name", "pt. name", "full name", "first name", "last name", "given name", "family name",
  "maiden name", "surname", "patient", "pt", "attending", "attending physician", "physician", "provider", "pcp",
  "referring physician", "referring provider", "referring doctor", "referred by", "surgeon", "resident", "nurse",
  "rn", "clinician", "emergency contact", "next of kin", "nok", "guardian", "spouse", "mother", "father", "informant",
  "contact", "dictated by", "transcribed by", "electronically signed by", "signed by", "cosigned by", "co-signed by",
  "reviewed by", "authenticated by", "prepared by", "doctor", "author",
];
const LABEL_RE = alt(LABELS.flatMap((l) => [l, l.toUpperCase(), l[0].toUpperCase() + l.slice(1)]));
const BY_PHRASES = [
  "seen by", "referred by", "examined by", "evaluated by", "signed by", "dictated by", "reviewed by", "treated by",
  "attended by", "consulted by", "accompanied by", "brought in by", "covered by", "operated on by",
];
const SIGN_OFFS = ["sincerely", "signed", "regards"];
const CREDENTIALS = String.raw`(?:M\.D\.|MD|D\.O\.|RN|NP|PA-C|Ph\.D\.|PhD|DDS|DMD|PharmD|MBBS|FACS|FACP|FRCS|FRCP|MPH|CNM|CRNA|LPN|APRN|DNP|MSN|BSN)`;

const TITLE_RE = new RegExp(`\\b(?:${STRONG_TITLES.join("|")})\\.?[ \\t]+(${RUN_ANY})`, "gu");
const WEAK_TITLE_RE = new RegExp(`\\b${WEAK_TITLES}[ \\t]+(${RUN_ANY})`, "gu");
const ROLE_RE = new RegExp(`\\b(${caps(ROLE_WORDS)}),?[ \\t]+(${RUN_TITLE})`, "gu");
const NAMED_RE = new RegExp(`\\b(?:${PERSON_NOUNS})[ \\t]+(?:named|called|by the name of)[ \\t]+(${RUN_TITLE})`, "gu");
const LABEL_NAME_RE = new RegExp(`\\b(?:${LABEL_RE})[ \\t]*:[ \\t]*(?:${ANY_TITLE}[ \\t]+)?(${LAST_FIRST}|${RUN_ANY})`, "gu");
const BY_RE = new RegExp(`\\b(?:${caps([...BY_PHRASES, ...SIGN_OFFS])})[,:]?[ \\t]*\\n?[ \\t]*(?:${ANY_TITLE}[ \\t]+)?(${RUN_TITLE})`, "gu");
const CREDENTIAL_RE = new RegExp(
  `\\b((?:${NAME_TOKEN}|${INITIAL})(?:[ \\t]+(?:${PARTICLE}[ \\t]+)?(?:${NAME_TOKEN}|${INITIAL})){1,3}),?[ \\t]+${CREDENTIALS}(?![\\p{L}])(?![ \\t]*\\d{5})`, "gu");
const CREDENTIAL_BEFORE = /(?:\p{Lu}\p{Ll}+|\p{Lu}\.),?[ \t]+$/u; // the end of NAME_TOKEN or INITIAL
const INTRO_CUE = /(?:,[ \t]*(?:an?|aged?)[ \t]+\d|[ \t]+(?:is|was)[ \t]+an?[ \t]+\d{1,3}[- ](?:year|month|week|day))/g;
const INTRO_BEFORE = new RegExp(`(?:^|[^\\p{L}])(${NAME_TOKEN}(?:[ \\t]+(?:${PARTICLE}[ \\t]+){0,2}${NAME_TOKEN})?)$`, "u");

const lastWords = (phrases: readonly string[]): string[] => [...new Set(phrases.map((p) => p.split(/[ .]/).filter(Boolean).pop()!.toLowerCase()))];
const LABEL_START_BEFORE = /(?:^|\n[ \t]*|[.;|,()\[\]][ \t]*|[ \t]{2,})$/;
// "Brand name: Tylenol", "generic name: ..." name a drug, not a person.
const NOT_PERSON_NAME_BEFORE = /(?:brand|generic|trade|drug|chemical|common|scientific|proprietary|product|file|user|host|domain|company|street|code|disease|medication)[ \t]*$/i;
// A capitalized cue word mid-sentence ("the Patient Health Questionnaire", "Will We Miss Cancers") starts a
// title-case phrase, not a person: such contexts need a known first name.
function titleCasePhrase(text: string, cueStart: number): boolean {
  if (!/\p{Lu}/u.test(text[cueStart] ?? "")) return false;
  const before = text.slice(Math.max(0, cueStart - 3), cueStart);
  return !/(?:^|[.!?:;\n(\["'“]\s*)$/.test(before) && cueStart > 0;
}

/** Splits a name run into tokens and cuts it at the first stopword: kept length, real tokens (not initials), first token. */
function nameLength(s: string): { len: number; nTokens: number; first: string } {
  let len = 0;
  let nTokens = 0;
  let first = "";
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const isInitial = /^\p{Lu}\.$/u.test(m[0]);
    const w = m[0].replace(/[,.]$/, "").toLowerCase();
    if (!isInitial && NAME_STOPWORDS.has(w)) break;
    if (len === 0) first = w;
    len = m.index + m[0].length;
    if (!isInitial) nTokens++;
  }
  return { len, nTokens, first };
}

/** True when the word after position `at` (past a possessive) marks an eponym: `Graves disease`, `Bell's palsy`. */
function eponymFollows(text: string, at: number): boolean {
  const m = /^(?:['’]s?)?["”]?[ \t]+([A-Za-z']+)/.exec(text.slice(at, at + 32));
  return m !== null && EPONYM_FOLLOWERS.has(m[1].toLowerCase());
}

const NAME_THEN = /^(?:['’]s\b|[ \t]*(?:[,.;:)(]|$)|[ \t]+(?:at|is|was|has|had|and|who|will|can|says|said|called|came|presented|presents|reports|reported|denies|states|stated|agrees|agreed|arrived|brought|drove)\b)/;
const INSTITUTION_WORD = new RegExp(`\\b(?:${[...INSTITUTION_WORDS].map((w) => w[0].toUpperCase() + w.slice(1)).join("|")})\\b`);

type NamePolicy = "any" | "one" | "two-or-first" | "first";
function pushName(out: PhiHit[], text: string, start: number, cand: string, policy: NamePolicy, rank: number): void {
  const { len, nTokens, first } = nameLength(cand);
  if (len === 0 || nTokens === 0) return;
  if (policy === "first" && !FIRST_NAMES.has(first)) return;
  if (policy === "two-or-first" && nTokens < 2 && !FIRST_NAMES.has(first)) return;
  let end = start + len;
  if (text[end - 1] === ",") end--;
  if (INSTITUTION_WORD.test(text.slice(start, end))) return; // "Contact: National Eye Institute"
  if (policy !== "any" && eponymFollows(text, end)) return;
  hit(out, "name", start, end, rank);
}

// What a name starts with: a capital, after up to two particles ("van der Berg", "de la Cruz").
const FOLLOW_NAME = `(?:${PARTICLE}[ \\t]+){0,2}${UP}`;
const BY_FOLLOW = `[,:]?[ \\t]*\\n?[ \\t]*${FOLLOW_NAME}`;

/** A name detector: one context family, its cues, and the pattern that finds the names it announces. */
function nameDetector(name: string, cues: PhiCue[], features: number, find: PhiDetector["find"]): PhiDetector {
  return { name, types: ["name"], cues, features, find };
}

const NAME_DETECTORS: PhiDetector[] = [
  nameDetector("name-title", [
    { words: ["mr", "mrs", "ms", "mx", "dr", "prof", "messrs", "mister", "doctor", "professor", "nurse", "miss"], follow: `\\.?[ \\t]+${FOLLOW_NAME}`, upper: true },
  ], 0, (text, _s, out) => {
    each(TITLE_RE, text, (m) => pushName(out, text, tailSpan(m, 1)[0], m[1], "any", RANK_CONTEXT));
    each(WEAK_TITLE_RE, text, (m) =>
      pushName(out, text, tailSpan(m, 1)[0], m[1], titleCasePhrase(text, m.index) ? "first" : "two-or-first", RANK_CONTEXT));
  }),
  // only "pt." takes a period before the name: after other role words a period ends the sentence ("... the patient. The")
  nameDetector("name-role", [
    { words: lastWords(ROLE_WORDS).filter((w) => w !== "pt"), follow: `,?[ \\t]+${FOLLOW_NAME}` },
    { words: ["pt"], follow: `\\.?,?[ \\t]+${FOLLOW_NAME}` },
  ], 0, (text, _s, out) => {
    each(ROLE_RE, text, (m) => {
      const [start] = tailSpan(m, 2);
      if (/\p{Lu}/u.test(m[1][0])) {
        // a capitalized role word mid-sentence starts a title-case phrase ("the Patient Activation Measure"): it
        // needs a known first name; at a sentence start, no token may be a title-case phrase word ("Patient Health Questionnaire")
        if (titleCasePhrase(text, m.index)) return pushName(out, text, start, m[2], "first", RANK_CONTEXT);
        const end = start + nameLength(m[2]).len;
        if (text.slice(start, end).split(/[ \t]+/).some((w) => PHRASE_WORDS.has(w.toLowerCase()))) return;
      }
      if (m[2].split(/[ \t]+/).some((w) => PHRASE_WORDS.has(w.toLowerCase()))) return;
      // after a lower-case role word one unknown token is a name when a clause boundary or a verb follows it ("her
      // daughter Aisha at ...", "patient Nguyen presented"), not an adjective ("patient Poor nutritional status")
      const { len, nTokens } = nameLength(m[2]);
      const single = nTokens === 1 && !/\p{Lu}/u.test(m[1][0]) && NAME_THEN.test(text.slice(start + len, start + len + 16));
      pushName(out, text, start, m[2], single ? "one" : "two-or-first", RANK_CONTEXT);
    });
  }),
  // "called" and "named" are everyday words ("a condition called ..."): only after a person noun do they announce a name
  nameDetector("name-named", [
    { words: ["named", "called"], follow: `[ \\t]+${FOLLOW_NAME}`, before: new RegExp(`\\b(?:${PERSON_NOUNS})[ \\t]+$`) },
    { words: ["name"], follow: ` of[ \\t]+${FOLLOW_NAME}`, before: new RegExp(`\\b(?:${PERSON_NOUNS})[ \\t]+by the $`) },
  ], 0, (text, _s, out) => {
    each(NAMED_RE, text, (m) => pushName(out, text, tailSpan(m, 1)[0], m[1], "one", RANK_CONTEXT));
  }),
  nameDetector("name-label", [{ words: lastWords(LABELS), follow: `[ \\t]*:[ \\t]*${FOLLOW_NAME}` }], 0, (text, _s, out) => {
    each(LABEL_NAME_RE, text, (m) => {
      // a label opens a line or a segment ("Attending: ...", "...; Contact: ..."), not the middle of a sentence
      if (!LABEL_START_BEFORE.test(text.slice(Math.max(0, m.index - 3), m.index))) return;
      if (/name/i.test(m[0].slice(0, 12)) && NOT_PERSON_NAME_BEFORE.test(text.slice(Math.max(0, m.index - 16), m.index))) return;
      pushName(out, text, tailSpan(m, 1)[0], m[1], "one", RANK_LABEL);
    });
  }),
  // "by" counts only after the head of a by-phrase ("seen by", not "caused by")
  nameDetector("name-by", [
    { words: ["by"], follow: BY_FOLLOW, before: new RegExp(`\\b(?:${caps(BY_PHRASES.map((p) => p.slice(0, -" by".length)))}) $`) },
    { words: SIGN_OFFS, follow: BY_FOLLOW },
  ], 0, (text, _s, out) => {
    each(BY_RE, text, (m) => pushName(out, text, tailSpan(m, 1)[0], m[1], "two-or-first", RANK_CONTEXT));
  }),
  // a credential right after a name's last token or initial ("Maria Lopez, MD"), not after a word ("boys with DMD")
  nameDetector("name-credential", [
    { words: ["md", "rn", "np", "phd", "dds", "dmd", "pharmd", "mbbs", "facs", "facp", "frcs", "frcp", "mph", "cnm", "crna", "lpn", "aprn", "dnp", "msn", "bsn"], upper: true, before: CREDENTIAL_BEFORE },
    { words: ["pa"], follow: "-C", upper: true, before: CREDENTIAL_BEFORE },
  ], F.degreeDots, (text, _s, out) => {
    each(CREDENTIAL_RE, text, (m) => pushName(out, text, m.index, m[1], "one", RANK_CONTEXT));
  }),
  nameDetector("name-intro", [
    { words: ["year", "month", "week", "day"], before: /(?:,[ \t]*(?:an?|aged?)|[ \t](?:is|was)[ \t]+an?)[ \t]+\d{1,3}[- ]$/ },
  ], 0, (text, _s, out) => {
    each(INTRO_CUE, text, (m) => {
      const before = INTRO_BEFORE.exec(text.slice(Math.max(0, m.index - 60), m.index));
      if (!before) return;
      // "Today Jane, a 45-year-old": the name is the last token or two, starting at a known first name
      const tokens = before[1].split(/[ \t]+/);
      const start = m.index - before[1].length;
      const last = tokens[tokens.length - 1];
      if (FIRST_NAMES.has(tokens[0].toLowerCase())) pushName(out, text, start, before[1], "one", RANK_CONTEXT);
      else if (tokens.length === 2 && FIRST_NAMES.has(last.toLowerCase())) pushName(out, text, m.index - last.length, last, "one", RANK_CONTEXT);
    });
  }),
];

// ---------------------------------------------------------------------------------------------------------------
// Dates finer than a year. Bare years, durations ("for 3 days", "since 1998") and times stay.
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTH_ABBRS = ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"];
// "May" and "March" are everyday words in lower case, and MAR, OCT, APR clinical acronyms in upper case: other
// spellings of a month are a month in any case.
const MONTH_WORDS = [
  ...MONTHS, ...MONTH_ABBRS, ...MONTHS.map((m) => m.toUpperCase()),
  ...MONTHS.filter((m) => m !== "May" && m !== "March").map((m) => m.toLowerCase()),
];
const MONTH = `(?:${alt(MONTH_WORDS)})\\.?`;
const MONTH_SHORT = `(?:${alt([...MONTH_ABBRS, ...MONTH_ABBRS.map((m) => m.toUpperCase()), "May", "MAY"])})`;
const WEEKDAY = String.raw`(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?),?[ \t]+`;
const DAY = String.raw`(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?`;
const YEAR = String.raw`(?:1[89]\d\d|20\d\d)`;

// March 14, 2021 / Jan 5th / Monday, March 14
const DATE_MDY = new RegExp(`(?<![\\p{L}\\d])(?:${WEEKDAY})?${MONTH}[ \\t]+(?:the[ \\t]+)?${DAY}(?:,?[ \\t]+(?:${YEAR}|'\\d\\d))?(?![\\p{L}\\d]|[.,:/-]\\d)`, "gu");
// 14 March 2021 / 14th of March, 2021
const DATE_DMY = new RegExp(`(?<![\\p{L}\\d.,/-])(?:${WEEKDAY})?${DAY}(?:[ \\t]+of)?[ \\t]+${MONTH}(?:,?[ \\t]+(?:${YEAR}|'\\d\\d))?(?![\\p{L}\\d])`, "gu");
// 14-Mar-2021 / 14MAR21 / 14/Mar/2021
const DATE_DMONY = new RegExp(`(?<![\\p{L}\\d])${DAY}([-/ ]?)${MONTH_SHORT}\\1(?:${YEAR}|\\d\\d)(?![\\p{L}\\d])`, "gu");
// 03/14/2021 / 14.03.2021 / 3-14-21
const DATE_NUM = /(?<![\w/.:-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/]|[.:-]\d)/g;
// 2021-03-14 / 2021/3/14, with an optional ISO time
const DATE_ISO = /(?<![\w/.:-])((?:1[89]|20)\d\d)([/.-])(\d{1,2})\2(\d{1,2})(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?![\w/]|[.-]\d)/g;
// Contexts that tie a shorter date to one person: DOB 3/14, born in March 1950, admitted on 3/14, LMP 2/1.
const DATE_CTX_LABELS = `${caps([
  "date of birth", "birth date", "birthdate", "birthday", "date of death", "date of admission", "date of discharge",
  "date of service", "date of visit", "date of surgery", "date of procedure", "admission date", "discharge date",
  "last menstrual period",
])}|DOB|D\\.O\\.B\\.?|DOD|DOS|LMP|[Dd]ate[ \\t]*(?=[:=])`;
const DATE_CTX_EVENTS = caps([
  "dated", "born", "died", "deceased", "expired", "admitted", "discharged", "hospitalized", "seen", "evaluated",
  "operated", "diagnosed", "delivered", "vaccinated", "injured", "transferred",
]);
const DATE_CTX_GAP = String.raw`[ \t]*(?:[:=#]|was|is|of|on|in)?[ \t]*(?:on[ \t]+|in[ \t]+)?`;
const DATE_CTX_HEAD = `\\b(?:(${DATE_CTX_LABELS})|${DATE_CTX_EVENTS})${DATE_CTX_GAP}`;
// The dates DATE_CTX takes after its head, bare years aside, for the cues: a month/day, 8 digits, a month and a year.
const DATE_CTX_DATE = String.raw`\d\d?\/\d|(?:19|20)\d{6}|[A-Za-z]{3,9}\.?[ \t]+${YEAR}`;
const DATE_CTX = new RegExp(
  DATE_CTX_HEAD +
  `(?:(\\d{1,2}\\/\\d{1,2})(?![\\d\\/])|((?:19|20)\\d\\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01]))(?!\\d)|(${MONTH}[ \\t]+${YEAR})(?!\\d)|(${YEAR})(?![\\d\\/]|[.-]\\d))`,
  "gu");
// "on 3/14," — a month/day after "on" only when the clause ends right after it.
const DATE_ON = /\b[Oo]n[ \t]+(\d{1,2}\/\d{1,2})(?=[ \t]*(?:[,;.)]|$|[ \t]at[ \t]|[ \t]and[ \t]))/gmu;
const BIRTH_CTX = /birth|born|DOB|D\.O\.B/i;
const POPULATION_BEFORE = /\b(?:patients|subjects|participants|cases|children|women|men|people|individuals|infants|were|between|from)\b[^.;]*$/i;
// A sentence about a study population or a public event, and about no single person, dates no individual: a study
// period ("patients treated between January 1, 1992 and ...") or an Act, an approval, a publication.
const NON_PERSONAL_CUE = new RegExp(
  `\\b(?:${caps([
    "patients", "subjects", "participants", "women", "men", "children", "infants", "neonates", "adults", "individuals",
    "cases", "controls", "cohort", "cohorts", "groups", "consecutive", "enrolled", "recruited", "included", "excluded",
    "analysed", "analyzed", "study", "studies", "trial", "survey", "registry", "database", "admissions", "deliveries",
    "beneficiaries", "hospitals", "centres", "centers", "period", "retrospective", "retrospectively", "prospective",
    "prospectively", "population", "respondents", "volunteers", "author", "authors", "enacted", "amended",
    "came into force", "published", "publication", "approved", "approval", "launched", "declared", "established",
    "founded", "celebrated", "conference", "congress", "volume", "edition", "journal", "ministry", "government",
    "programme", "program", "campaign", "eradicated", "eradication", "outbreak", "epidemic", "pandemic", "discovered",
    "invented", "accessed", "retrieved", "cited", "epub", "doi", "pmid", "http", "https", "www", "reviews",
    "reportable", "notifiable", "surveillance", "recommendations", "guidelines", "as of",
  ])}|Act|Vol\\.|WHO|FDA|CDC|NIH|ICMR|Govt|Administration|Institute|Department|Agency|Organization|Organisation|Association|Society|Council|Foundation|Committee|between\\b[^.;]{1,60}\\band)\\b|\\b\\d{4}[ \\t]+[A-Z][a-z]{2}(?:[ \\t]+\\d{1,2})?;[ \\t]*\\d`);
const PERSON_CUE =
  /\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er|[Hh]im|Mr|Mrs|Ms|Miss|Dr|[Pp](?:atien)?t's|(?:[Tt]he|[Tt]his|[Aa]|[Oo]ur|[Mm]y)[ \t]+(?:patient|pt|man|woman|boy|girl|child|infant|baby)|(?:[Pp]atient|[Pp]t\.?)[ \t]+(?:is|was|has|had|reports|reported|presents|presented|states|stated|denies|denied|underwent|received|complains|returns|returned))\b/;

function validMonthDay(mo: number, d: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

/** Keeps a shape-found date unless its sentence is about a study population or a public event and no one person. */
function pushShapeDate(text: string, s: DetectSettings, out: PhiHit[], start: number, end: number, context: string | undefined): void {
  if (s.keepNonPersonalDates) {
    const sentence = sentenceAround(text, start, end);
    if (!PERSON_CUE.test(sentence)) {
      if (NON_PERSONAL_CUE.test(sentence)) return;
      // an option or explanation ("15th April 1987") read with its question ("The Consumer Protection Act came into force on")
      if (context !== undefined && NON_PERSONAL_CUE.test(context) && !PERSON_CUE.test(context)) return;
    }
  }
  hit(out, "date", start, end, RANK_SHAPE);
}

// A month word counts only beside a day, a run of one or two digits: "March 14" (DATE_MDY), "14th of March"
// (DATE_DMY), "14-Mar-21" and "14MAR21" (DATE_DMONY), "14thMar21" (DATE_DMONY, where suffix and month make one word).
const MONTH_THEN_DAY = String.raw`\.?[ \t]+(?:the[ \t]+)?\d\d?(?!\d)`;
const DAY_THEN_MONTH = /(?:^|\D)\d\d?(?:st|nd|rd|th)?(?:(?:[ \t]+of)?[ \t]+|[-\/])?$/;
// Title or upper case only for May, March and the abbreviations; the other full names in any case
const MONTH_CASED = [...new Set([...MONTH_ABBRS, "May", "March"].map((m) => m.toLowerCase()))];
const MONTH_ANY_CASE = MONTHS.filter((m) => m !== "May" && m !== "March").map((m) => m.toLowerCase());
const MONTH_CUES: PhiCue[] = [
  { words: MONTH_CASED, upper: true, follow: MONTH_THEN_DAY },
  { words: MONTH_CASED, upper: true, before: DAY_THEN_MONTH },
  { words: MONTH_ANY_CASE, follow: MONTH_THEN_DAY },
  { words: MONTH_ANY_CASE, before: DAY_THEN_MONTH },
  { words: ["st", "nd", "rd", "th"].flatMap((s) => MONTH_CASED.filter((m) => m.length === 3 || m === "sept").map((m) => s + m)), before: /(?:^|\D)\d\d?$/, follow: "\\d" },
];

const DATE_DETECTORS: PhiDetector[] = [
  {
    name: "date-named",
    types: ["date"],
    cues: MONTH_CUES,
    features: 0,
    find(text, s, out, context) {
      const named = (m: RegExpExecArray) => {
        const end = m.index + m[0].length;
        if (!unitFollows(text, end)) pushShapeDate(text, s, out, m.index, end, context);
      };
      each(DATE_MDY, text, named);
      each(DATE_DMY, text, named);
      each(DATE_DMONY, text, named);
    },
  },
  {
    name: "date-numeric",
    types: ["date"],
    cues: [],
    features: F.dateDigits,
    find(text, s, out, context) {
      each(DATE_NUM, text, (m) => {
        const a = +m[1], b = +m[3];
        if (m[2] === "." && m[4].length !== 4) return; // 1.2.10 is a version or a section, not a date
        if (m[4].length === 4 && (+m[4] < 1800 || +m[4] > 2099)) return;
        if (!validMonthDay(a, b) && !validMonthDay(b, a)) return;
        const end = m.index + m[0].length;
        if (unitFollows(text, end)) return; // 2/4/6 months
        pushShapeDate(text, s, out, m.index, end, context);
      });
      each(DATE_ISO, text, (m) => {
        if (validMonthDay(+m[3], +m[4])) pushShapeDate(text, s, out, m.index, m.index + m[0].length, context);
      });
    },
  },
  {
    name: "date-context",
    types: ["date"],
    cues: [
      // the last word of a label or an event (DATE_CTX) followed by a month/day, an 8-digit date or a month and year;
      // a bare year counts only as a birth year (after "date" too: "birth date")
      { words: ["birth", "birthdate", "birthday", "date", "dob", "born"], follow: DATE_CTX_GAP + `(?:${DATE_CTX_DATE}|${YEAR})` },
      {
        words: ["death", "admission", "discharge", "service", "visit", "surgery", "procedure", "period", "dod", "dos", "lmp", "dated", "died", "deceased", "expired", "admitted", "discharged", "hospitalized", "seen", "evaluated", "operated", "diagnosed", "delivered", "vaccinated", "injured", "transferred"],
        follow: DATE_CTX_GAP + `(?:${DATE_CTX_DATE})`,
      },
    ],
    features: F.dobDots | F.onMonthDay,
    find(text, s, out) {
      each(DATE_CTX, text, (m) => {
        const isLabel = m[1] !== undefined;
        const gi = m[2] ? 2 : m[3] ? 3 : m[4] ? 4 : 5;
        const g = m[gi];
        const [start, end] = tailSpan(m, gi);
        if (gi === 2) {
          // "seen 1/2 of ..." is a fraction: after an event word a month/day needs "on"
          const [a, b] = g.split("/").map(Number);
          if (!validMonthDay(a, b) || unitFollows(text, end) || (!isLabel && !/\bon[ \t]/.test(m[0]))) return;
        } else if (gi === 3) {
          if (!isLabel) return; // 8 digits without a date label are some other number
        } else if (gi === 4) {
          // month + year alone is a date element only when it is one person's: not "patients admitted in March 2005"
          if (POPULATION_BEFORE.test(text.slice(Math.max(0, m.index - 60), m.index))) return;
        } else {
          // a bare year is allowed by Safe Harbor unless it is a birth year that implies an age over 89
          if (!BIRTH_CTX.test(m[0]) || s.referenceYear - +g <= 89) return;
        }
        hit(out, "date", start, end, RANK_CONTEXT);
      });
      each(DATE_ON, text, (m) => {
        const [a, b] = m[1].split("/").map(Number);
        if (validMonthDay(a, b)) hit(out, "date", ...tailSpan(m, 1), RANK_CONTEXT);
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Ages over 89 (Safe Harbor aggregates them into "90 or older"); ages up to 89 stay.
const OLD = String.raw`(?:9\d|1[0-2]\d)`;
const ONES = "one|two|three|four|five|six|seven|eight|nine";
const SPELLED_OLD = String.raw`(?:[Nn]inety(?:[- ](?:${ONES}))?|(?:[Oo]ne[ -])?[Hh]undred(?:(?:[ -]and)?[ -](?:${ONES}|ten))?)`;
// What follows a spelled age in AGE_PHRASE, for the cues.
const YEARS_WORD = String.raw`(?:[ \t]*-[ \t]*|[ \t]+)(?:years?|yrs?|yr)`;
const AGE_PHRASE = new RegExp(
  `(?<![\\w.,/-])(?:${OLD}|${SPELLED_OLD})(?:[ \\t]*-[ \\t]*|[ \\t]+)(?:years?|yrs?|yr)(?:[ \\t]*-[ \\t]*|[ \\t]+)old(?![\\p{L}])` +
  `|(?<![\\w.,/-])${OLD}[ \\t]*-?[ \\t]*(?:y\\/o|y\\.o\\.?|yo)(?![\\p{L}])` +
  `|(?<![\\w.,/-])${OLD}[ \\t]+(?:years?|yrs?)[ \\t]+of[ \\t]+age(?![\\p{L}])`,
  "gu");
const AGE_LABEL = new RegExp(`\\b(?:[Aa]ged?|AGE|[Aa]ge[ \\t]+(?:of|is|was)|[Aa]t[ \\t]+(?:the[ \\t]+)?age[ \\t]+of)[ \\t]*[:=]?[ \\t]*(${OLD})(?![\\d.,]\\d|\\d)`, "gu");
const AGE_DECADE = /\b(?:in[ \t]+(?:his|her|their|the)[ \t]+(?:late[ \t]+|early[ \t]+|mid[- ]?)?(?:90'?s|nineties|100'?s)|(?:a[ \t]+)?(?:nonagenarian|centenarian|supercentenarian))(?![\p{L}])/gu;
// "aged 90 days", "age 95%", "aged 90-99", "aged 92 or 93", "aged 90 and older": not one person's age in years
const AGE_NOT_ONE_PERSON = /^[ \t]*(?:(?:-|–|to|or)[ \t]*\d|\+|(?:-[ \t]*)?(?:days?|weeks?|wks?|months?|mos?|hours?|h\b|hrs?|minutes?|min\b|%|mg|kg|lb|cm|mm|°|\/)|(?:years?[ \t]+)?(?:and|or)[ \t]+(?:older|above|over|more|beyond))/;
const AGE_POPULATION_BEFORE = /\b(?:persons|people|patients|subjects|participants|individuals|women|men|adults|residents|those|cohort|centenarians)\b[^.;]{0,24}$|\b(?:up to|until|over|under|above|below|beyond|than|before|after|from|to|through|between|past|by)[ \t]+(?:the[ \t]+)?$/i;

const ageDetector: PhiDetector = {
  name: "age",
  types: ["age"],
  cues: [
    { words: ["age", "aged"], follow: `[ \\t]*[:=]?[ \\t]*(?:(?:of|is|was)[ \\t]+)?${OLD}` },
    // a spelled age before "years" (AGE_PHRASE), "nineties" after "in his" (AGE_DECADE, also glued: "midnineties")
    { words: ["ninety"], follow: `(?:[- ](?:${ONES}))?${YEARS_WORD}` },
    { words: ["hundred"], follow: `(?:(?:[ -]and)?[ -](?:${ONES}|ten))?${YEARS_WORD}` },
    { words: ["nineties"], before: /in[ \t]+(?:his|her|their|the)[ \t]+(?:late[ \t]+|early[ \t]+|mid[- ]?)?$/ },
    { words: ["midnineties"], before: /in[ \t]+(?:his|her|their|the)[ \t]+$/ },
    { words: ["nonagenarian", "centenarian", "supercentenarian"] },
  ],
  features: F.age90,
  find(text, _s, out) {
    each(AGE_PHRASE, text, (m) => hit(out, "age", m.index, m.index + m[0].length, RANK_SHAPE));
    each(AGE_LABEL, text, (m) => {
      const [start, end] = tailSpan(m, 1);
      if (AGE_NOT_ONE_PERSON.test(text.slice(end, end + 16))) return;
      if (AGE_POPULATION_BEFORE.test(text.slice(Math.max(0, m.index - 30), m.index))) return;
      hit(out, "age", start, end, RANK_CONTEXT);
    });
    each(AGE_DECADE, text, (m) => hit(out, "age", m.index, m.index + m[0].length, RANK_SHAPE));
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Phone and fax numbers (North American formats; a labelled number in any common layout).
const EXT = String.raw`(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?`;
const PHONE_SHAPE = new RegExp(
  String.raw`(?<![\w+.\/-])(?:(\+?1)[ \t.-]?)?(?:\((\d{3})\)[ \t]?(\d{3})[ \t.-]?(\d{4})|(\d{3})([.-])(\d{3})\6(\d{4})|(\d{3})[ \t](\d{3})[ \t](\d{4}))(?![\w-]|\.\d)` + EXT,
  "g");
// A phone label, what may stand between it and the number, and the number (7 or 10 digits).
const PHONE_LABEL_WORDS = ["phone", "tel", "telephone", "cell", "mobile", "pager", "beeper", "fax", "facsimile", "ph", "call", "contact", "home", "work"];
const PHONE_LABEL_GAP = String.raw`\.?(?:[ \t]*\((?:[Cc]ell|[Hh]ome|[Ww]ork|[Mm]obile|[Oo]ffice|[HhWwCcMmOo])\))?(?:[ \t]*(?:no\.?|number|#))?[ \t]*(?:is|at|:|#|-)?[ \t]*`;
const PHONE_LABEL_NUMBER = String.raw`(?:\+?1[ \t.-]?)?(?:\(\d{3}\)[ \t]?|\d{3}[ \t.-]?)?\d{3}[ \t.-]?\d{4}`;
const PHONE_LABEL = new RegExp(
  String.raw`\b(?:[Pp]hone|PHONE|[Tt]el|TEL|[Tt]elephone|[Cc]ell|[Mm]obile|[Pp]ager|[Bb]eeper|[Ff]ax|FAX|[Ff]acsimile|[Pp]h|[Cc]all|[Cc]ontact|[Hh]ome|[Ww]ork)` +
  PHONE_LABEL_GAP + `(${PHONE_LABEL_NUMBER}${EXT})(?![\\w-]|\\.\\d)`,
  "gu");
const FAX_BEFORE = /(?:fax|facsimile)[^\n\d]{0,12}$/i;
const FAX_AFTER = /^[ \t]*\(?(?:fax|facsimile)\b/i;

function phoneType(text: string, start: number, end: number): PhiType {
  if (FAX_BEFORE.test(text.slice(Math.max(0, start - 24), start)) || FAX_AFTER.test(text.slice(end, end + 12))) return "fax";
  return "phone";
}

const phoneDetector: PhiDetector = {
  name: "phone",
  types: ["phone", "fax"],
  // a label and its number (PHONE_LABEL); the label may run into "no", "number", "is" or "at" ("Phis 555-0123")
  cues: [{
    words: PHONE_LABEL_WORDS.flatMap((w) => ["", "no", "number"].flatMap((a) => ["", "is", "at"].map((b) => w + a + b))),
    follow: PHONE_LABEL_GAP + PHONE_LABEL_NUMBER,
  }],
  features: F.phoneDigits,
  find(text, s, out) {
    each(PHONE_SHAPE, text, (m) => {
      const area = m[2] ?? m[5] ?? m[9];
      const exch = m[3] ?? m[7] ?? m[10];
      if (area[0] < "2" || exch[0] < "2") return; // NANP: area codes and exchanges start with 2-9
      if (s.keepTollFree && TOLL_FREE_AREA_CODES.has(area)) return;
      const end = m.index + m[0].length;
      // "347 608 4703" only as a group of its own: not inside a run of space-separated numbers (a table row)
      if (m[9] && !m[1] && (/\d[ \t]*$/.test(text.slice(Math.max(0, m.index - 3), m.index)) || /^[ \t]*\d/.test(text.slice(end, end + 3)))) return;
      if (unitFollows(text, end)) return;
      hit(out, phoneType(text, m.index, end), m.index, end, RANK_SHAPE);
    });
    each(PHONE_LABEL, text, (m) => {
      const [start, end] = tailSpan(m, 1);
      const digits = m[1].replace(/(?:x|ext\.?|extension)[ \t]*\d+$/i, "").replace(/\D/g, "").replace(/^1(?=\d{10}$)/, "");
      if (digits.length !== 7 && digits.length !== 10) return;
      if (s.keepTollFree && digits.length === 10 && TOLL_FREE_AREA_CODES.has(digits.slice(0, 3))) return;
      if (unitFollows(text, end)) return;
      hit(out, phoneType(text, start, end), start, end, RANK_LABEL);
    });
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Email addresses, URLs, IP addresses (v4, v6) and MAC addresses (a device identifier).
const EMAIL = /(?<![\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])/g;

const emailDetector: PhiDetector = {
  name: "email",
  types: ["email"],
  cues: [],
  features: F.at,
  find(text, _s, out) {
    each(EMAIL, text, (m) => hit(out, "email", m.index, m.index + m[0].length, RANK_SHAPE));
  },
};

const URL_CHARS = String.raw`[^\s<>"'\x60{}|\\^\[\]]`;
const BARE_TLDS = "com|org|net|gov|edu|mil|int|io|info|biz|health|us|(?:co|org|gov|ac|nhs|net|com)\\.(?:uk|in|au|nz|za|jp)";
const URL_RE = new RegExp(
  String.raw`\b(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp]|sftp):\/\/${URL_CHARS}+` +
  String.raw`|(?<![\w.@\/-])[Ww]{3}\d?\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[\/?#]${URL_CHARS}*)?` +
  String.raw`|(?<![\w.@\/-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:${BARE_TLDS})(?![\w-])(?::\d{2,5})?(?:[\/?#]${URL_CHARS}*)?`,
  "g");
// A URL that points at one person's page: a patient portal, a profile, a ~user page, a personal query field.
const PERSONAL_URL = /mychart|patient-?portal|\/portal\b|\/profiles?\/|\/users?\/|\/~|\/people\/|facebook\.com\/|instagram\.com\/|twitter\.com\/|x\.com\/|linkedin\.com\/in\/|tiktok\.com\/@|[?&#;][^=&#]*(?:patient|mrn|pid|member|account|acct|user|uid|ssn|dob|email|phone|name)[^=&#]*=/i;
const URL_PERSON_CUE = /\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er|[Hh]im|[Mm]y|Mr|Mrs|Ms|Miss|[Pp]atient's|(?:[Tt]he|[Tt]his|[Oo]ur) patient|[Hh]omepage|[Bb]log)\b/;
const PERSONAL_QUERY = /[?&#;](?:[^=&#]*(?:patient|mrn|pid|member|account|acct|user|uid|ssn|dob|email|phone|name)[^=&#]*)=/i;

/** Length of a URL match without trailing sentence punctuation or a closing parenthesis that opened outside it. */
function urlLength(url: string): number {
  let depth = 0;
  let end = url.length;
  for (let i = 0; i < url.length; i++) {
    if (url[i] === "(") depth++;
    else if (url[i] === ")" && --depth < 0) {
      end = i;
      break;
    }
  }
  while (end > 0 && ".,;:!?'\"".includes(url[end - 1])) end--;
  return end;
}

/** True when the URL's host is one of `domains` (or under one) and its query carries no personal field. */
export function isReferenceUrl(url: string, domains: readonly string[]): boolean {
  const host = /^(?:[a-z]+:\/\/)?(?:[^@/?#]*@)?([^/?#:]+)/i.exec(url)?.[1]?.toLowerCase().replace(/^www\d?\./, "") ?? "";
  if (!host || PERSONAL_QUERY.test(url)) return false;
  for (const d of domains) if (host === d || host.endsWith("." + d)) return true;
  return false;
}

// URL_RE, tried only where a match can start (urlStarts): the same matches in the same order as a scan of the whole
// text (each match resumes after the previous one), without the scan (URL_RE tries every word of a long text).
const URL_AT = new RegExp(URL_RE.source, "y");
const isHostChar = (c: number): boolean => isAsciiLetter(c) || isDigit(c) || c === 45;
const isLowerHostChar = (c: number): boolean => (c >= 97 && c <= 122) || isDigit(c) || c === 45 || c === 46;

/**
 * Ascending positions where URL_RE may start a match: a scheme before "://" (3 to 5 letters back), "www" or "www1"
 * before a dot, and the start of the run of lower-case host characters (a-z 0-9 . -) around a dot before a
 * lower-case label (a host's labels and TLD: no match starts inside the run, its lookbehind forbids it).
 */
function urlStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = text.indexOf("://"); i >= 0; i = text.indexOf("://", i + 3)) starts.push(i - 5, i - 4, i - 3);
  for (let d = text.indexOf("."); d >= 0; d = text.indexOf(".", d + 1)) {
    const next = d + 1 < text.length ? text.charCodeAt(d + 1) : 0;
    if (!isHostChar(next)) continue;
    starts.push(d - 4, d - 3);
    if (next < 97 || next > 122) continue;
    let run = d;
    while (run > 0 && isLowerHostChar(text.charCodeAt(run - 1))) run--;
    starts.push(run);
  }
  return starts.filter((i) => i >= 0).sort((a, b) => a - b);
}

const urlDetector: PhiDetector = {
  name: "url",
  types: ["url"],
  cues: [
    { words: ["www"], follow: "\\d?\\." },
    { words: ["com", "org", "net", "gov", "edu", "mil", "int", "io", "info", "biz", "health", "us", "uk", "in", "au", "nz", "za", "jp"], prev: ".", before: /[a-z0-9]\.$/ },
  ],
  features: F.schemeSlashes,
  find(text, s, out) {
    let end = 0;
    for (const start of urlStarts(text)) {
      if (start < end) continue;
      URL_AT.lastIndex = start;
      const m = URL_AT.exec(text);
      if (m === null) continue;
      end = start + m[0].length;
      const url = m[0].slice(0, urlLength(m[0]));
      if (!/[A-Za-z]{2}/.test(url)) continue;
      if (s.urlPolicy !== "all" && isReferenceUrl(url, s.referenceDomains)) continue;
      if (s.urlPolicy === "patient-context" && !PERSONAL_URL.test(url)) {
        const sentence = sentenceAround(text, m.index, m.index + url.length);
        if (!URL_PERSON_CUE.test(sentence)) continue;
      }
      hit(out, "url", m.index, m.index + url.length, RANK_SHAPE);
    }
  },
};

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IPV4 = new RegExp(String.raw`(?<![\w.])${OCTET}(?:\.${OCTET}){3}(?![\w]|\.\d)(?:\/\d{1,2}(?!\d))?`, "g");
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g;
const MAC = /(?<![\w:-])[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}(?![\w:-])/g;
const IP_LABEL_BEFORE = /\b(?:IP|ip|IPv4|IPv6|address|host|server)\b[^\n]{0,16}$/;

const ipDetector: PhiDetector = {
  name: "ip",
  types: ["ip", "serial"],
  cues: [],
  features: F.dottedQuad | F.colonHex | F.hexDashes,
  find(text, _s, out) {
    each(IPV4, text, (m) => {
      const parts = m[0].split("/")[0].split(".").map(Number);
      // EC 3.1.1.11 and section 2.4.1.3 look like addresses: without an IP label, want a first part >= 10 or a part >= 100
      if (parts[0] < 10 && parts.every((p) => p < 100) && !IP_LABEL_BEFORE.test(text.slice(Math.max(0, m.index - 24), m.index))) return;
      if (/\bEC[ \t]*$/.test(text.slice(Math.max(0, m.index - 4), m.index))) return;
      hit(out, "ip", m.index, m.index + m[0].length, RANK_SHAPE);
    });
    each(MAC, text, (m) => hit(out, "serial", m.index, m.index + m[0].length, RANK_SHAPE));
    each(IPV6, text, (m) => {
      const a = m[0];
      if (a === "::" || !isIPv6(a)) return;
      if (!a.includes("::") && a.split(":").length - 1 < 7) return; // 12:30:45 (a time), HLA-B*57:01:02 (an allele)
      hit(out, "ip", m.index, m.index + a.length, RANK_SHAPE);
    });
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Social Security numbers, and labelled identifiers: medical record, account / health-plan, license /
// certificate, and vehicle / device serial numbers. The label decides the type; the identifier must hold digits.
const SSN_SHAPE = /(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-]|\.\d)/g;
const SSN_LABEL = /\b(?:SSN|SS#|S\.S\.N\.?|[Ss]ocial[ \t]+[Ss]ecurity(?:[ \t]+(?:[Nn]umber|[Nn]o\.?|#))?)[ \t]*(?:is|was|:|#)?[ \t]*#?[ \t]*(\d{3}[- ]?\d{2}[- ]?\d{4})(?![\d-])/g;

const ssnDetector: PhiDetector = {
  name: "ssn",
  types: ["ssn"],
  cues: [{ words: ["ssn"] }, { words: ["ss"], follow: "#" }, { words: ["social"], follow: "[ \\t]+[Ss]ecurity" }],
  features: F.ssnDigits | F.ssnDots,
  find(text, _s, out) {
    each(SSN_SHAPE, text, (m) => {
      // SSA never issues area 000, 666 or 900-999, group 00 or serial 0000
      if (m[1] === "000" || m[1] === "666" || m[1][0] === "9" || m[2] === "00" || m[3] === "0000") return;
      hit(out, "ssn", m.index, m.index + m[0].length, RANK_SHAPE);
    });
    each(SSN_LABEL, text, (m) => hit(out, "ssn", ...tailSpan(m, 1), RANK_LABEL));
  },
};

const NUM_WORD = String.raw`(?:[ \t]*(?:#|no\.?|num\.?|number|id|identifier))`;
const NUM_WORD_REQ = String.raw`[ \t]*(?:#|no\.?|num\.?|number|id|identifier)`;
// Label words whose identifier may follow with no "number"/"#" word ("MRN 12345678", "DEA AB1234563", "account 0012345").
const STRONG_ID_WORDS = [
  "mrn", "uhid", "account", "acct", "policy", "medicare", "medicaid", "mbi", "hicn", "credit", "dea", "npi", "upin", "clia",
  "license", "licence", "passport", "serial", "vin", "udi", "imei", "vehicle",
];
// Label words that need a "number"/"#"/"ID" word, or digits, right after ("chart #", "member ID", "medical record 1234567").
const WEAK_ID_WORDS = [
  "mr", "record", "rec", "chart", "hospital", "patient", "pt", "unit", "accession", "encounter", "visit", "admission",
  "specimen", "case", "billing", "invoice", "claim", "member", "membership", "subscriber", "beneficiary", "plan",
  "insurance", "group", "lic", "dl", "certificate", "cert", "certification", "registration", "plate", "device", "implant",
];
const MRN_LABELS = [
  String.raw`MRN`, String.raw`MR[ \t]?#`, String.raw`MR[ \t]?(?:no\.?|num(?:ber)?)`, String.raw`medical[ \t]+record${NUM_WORD}?`,
  String.raw`med(?:ical)?\.?[ \t]*rec(?:ord)?\.?${NUM_WORD_REQ}`, String.raw`record${NUM_WORD_REQ}`, String.raw`chart${NUM_WORD_REQ}`,
  String.raw`hospital${NUM_WORD_REQ}`, String.raw`patient${NUM_WORD_REQ}`, String.raw`pt\.?${NUM_WORD_REQ}`, String.raw`UHID`,
  String.raw`unit[ \t]*(?:no\.?|number)`, String.raw`accession${NUM_WORD_REQ}`, String.raw`encounter${NUM_WORD_REQ}`,
  String.raw`visit${NUM_WORD_REQ}`, String.raw`admission${NUM_WORD_REQ}`, String.raw`specimen${NUM_WORD_REQ}`,
  String.raw`case${NUM_WORD_REQ}`,
];
const ACCOUNT_LABELS = [
  String.raw`(?:bank[ \t]*)?account${NUM_WORD}?`, String.raw`acct\.?${NUM_WORD}?`, String.raw`a\/c${NUM_WORD}?`,
  String.raw`billing${NUM_WORD_REQ}`, String.raw`invoice${NUM_WORD_REQ}`, String.raw`claim${NUM_WORD_REQ}`, String.raw`policy${NUM_WORD}?`,
  String.raw`member(?:ship)?${NUM_WORD_REQ}`, String.raw`subscriber${NUM_WORD_REQ}`,
  String.raw`(?:health[ \t]*plan[ \t]*)?beneficiary${NUM_WORD_REQ}`, String.raw`health[ \t]*plan${NUM_WORD_REQ}`,
  String.raw`insurance${NUM_WORD_REQ}`, String.raw`group${NUM_WORD_REQ}`, String.raw`(?:medicare|medicaid)(?:${NUM_WORD}|[ \t]*card)?`,
  String.raw`MBI`, String.raw`HICN`, String.raw`credit[ \t]*card(?:${NUM_WORD})?`,
];
const LICENSE_LABELS = [
  String.raw`DEA(?:[ \t]*registration)?${NUM_WORD}?`, String.raw`NPI${NUM_WORD}?`, String.raw`UPIN`, String.raw`CLIA${NUM_WORD}?`,
  String.raw`(?:medical[ \t]*|state[ \t]*|professional[ \t]*|driver'?s?[ \t]*|nursing[ \t]*|pharmacy[ \t]*)?licen[cs]e(?![a-z])${NUM_WORD}?`,
  String.raw`lic\.?${NUM_WORD_REQ}`, String.raw`DL${NUM_WORD_REQ}`, String.raw`certificate${NUM_WORD_REQ}`, String.raw`cert\.?${NUM_WORD_REQ}`,
  String.raw`board[ \t]*certification${NUM_WORD_REQ}`, String.raw`passport${NUM_WORD}?`, String.raw`registration${NUM_WORD_REQ}`,
];
const SERIAL_LABELS = [
  String.raw`licen[cs]e[ \t]*plate${NUM_WORD}?`, String.raw`plate${NUM_WORD_REQ}`, String.raw`serial${NUM_WORD}?`, String.raw`S\/N`,
  String.raw`SN(?=[ \t]*[:#])`, String.raw`VIN${NUM_WORD}?`, String.raw`vehicle[ \t]*identification[ \t]*number`,
  String.raw`device${NUM_WORD_REQ}`, String.raw`device[ \t]*serial`, String.raw`UDI`, String.raw`IMEI`, String.raw`implant${NUM_WORD_REQ}`,
];
// An identifier: 4-25 letters/digits with inner - . / separators, holding at least two digits.
const ID = String.raw`(?=[A-Za-z0-9./-]*?\d[A-Za-z0-9./-]*?\d)[A-Za-z0-9](?:[A-Za-z0-9]|[-./](?=[A-Za-z0-9])){3,24}`;
const LABELED_ID = new RegExp(
  `\\b(?:(${MRN_LABELS.join("|")})|(${ACCOUNT_LABELS.join("|")})|(${SERIAL_LABELS.join("|")})|(${LICENSE_LABELS.join("|")}))` +
  String.raw`[ \t]*(?:(?:is|was)[ \t]+)?[:#=]?[ \t]*#?[ \t]*(${ID})(?![A-Za-z0-9]|[-./][A-Za-z0-9])`,
  "gi");
const LABEL_TYPES: readonly PhiType[] = ["mrn", "account", "serial", "license"];
// The same, case-insensitive, for the label cues: a number word, and what leads from a label to its identifier.
const NUMBER_WORD = `(?:#|${ci("no")}\\.?|${ci("num")}\\.?|${ci("number")}|${ci("id")}|${ci("identifier")})`;
const ID_AHEAD = `[ \\t]*(?:(?:${ci("is")}|${ci("was")})[ \\t]+)?[:#=]?[ \\t]*#?[ \\t]*(?=[A-Za-z0-9./-]*?\\d[A-Za-z0-9./-]*?\\d)[A-Za-z0-9]`;
const YEAR_ONLY = /^(?:1[89]|20)\d\d$/;
const HAS_NUMBER_WORD = /(?:#|\bno\b|\bnum|number|\bid\b|identifier|^MRN$|^MBI$|^HICN$|^UHID$|^NPI|^DEA|^VIN|^UDI$|^IMEI$|^S\/N$|^SN$)/i;
// DEA registration: 2 letters + 7 digits whose last digit is (d1+d3+d5 + 2*(d2+d4+d6)) mod 10.
const DEA_SHAPE = /(?<![A-Za-z0-9])[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}(?![A-Za-z0-9])/g;
const VIN_VALUES: Record<string, number> = Object.fromEntries(
  [..."ABCDEFGHJKLMNPRSTUVWXYZ"].map((c, i) => [c, [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9][i]]),
);
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** True when a 2-letter + 7-digit string carries a valid DEA check digit. */
export function isDeaNumber(s: string): boolean {
  if (!/^[A-Z][A-Z9]\d{7}$/.test(s)) return false;
  const d = s.slice(2).split("").map(Number);
  return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 === d[6];
}

/** True when a 17-character string is a VIN with a valid ISO 3779 check digit (position 9). */
export function isVin(s: string): boolean {
  if (!/^[A-HJ-NPR-Z0-9]{17}$/.test(s) || !/\d/.test(s) || !/[A-Z]/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (s[i] >= "0" && s[i] <= "9" ? +s[i] : VIN_VALUES[s[i]]) * VIN_WEIGHTS[i];
  return s[8] === (sum % 11 === 10 ? "X" : String(sum % 11));
}

const labeledIdDetector: PhiDetector = {
  name: "labeled-id",
  types: ["mrn", "account", "license", "serial"],
  // a label word counts when the rest of its label and an identifier with two digits follow (LABELED_ID)
  cues: [
    { words: STRONG_ID_WORDS, follow: `\\.?(?:[ \\t]*(?:${ci("card")}|${ci("registration")}|${ci("plate")}|${ci("identification")}[ \\t]*${ci("number")}))?(?:[ \\t]*${NUMBER_WORD})?${ID_AHEAD}` },
    { words: WEAK_ID_WORDS.filter((w) => w !== "record"), follow: `\\.?[ \\t]*${NUMBER_WORD}${ID_AHEAD}` },
    { words: ["record"], follow: `\\.?(?:[ \\t]*${NUMBER_WORD})?${ID_AHEAD}` }, // "medical record 1234567"
    { words: ["sn"], follow: "[ \\t]*[:#]" },
  ],
  features: F.deaDigits | F.slashLabel | F.mrHash,
  find(text, _s, out) {
    each(LABELED_ID, text, (m) => {
      const g = m[1] ? 0 : m[2] ? 1 : m[3] ? 2 : 3;
      const label = m[g + 1];
      const id = m[5];
      const hasNumberWord = HAS_NUMBER_WORD.test(label);
      if (YEAR_ONLY.test(id) && !hasNumberWord) return; // "Medicaid 2014", "license 2019"
      if (/^1-8\d\d-[A-Za-z]/.test(id)) return; // "Medicare is 1-800-Medicare": a vanity help line
      if (id.length < (hasNumberWord ? 5 : 6)) return; // record numbers are long; "record number 12" is a count
      if (unitFollows(text, m.index + m[0].length)) return;
      hit(out, LABEL_TYPES[g], ...tailSpan(m, 5), RANK_LABEL);
    });
    each(DEA_SHAPE, text, (m) => {
      if (isDeaNumber(m[0])) hit(out, "license", m.index, m.index + m[0].length, RANK_SHAPE);
    });
  },
};

// ---------------------------------------------------------------------------------------------------------------
// Street addresses (with unit and city), PO boxes, and ZIP codes after a state, a ZIP label or an address.
const STATE = `(?:${[...US_STATE_ABBRS].join("|")}|${alt(US_STATE_NAMES)})`;
const DIR = String.raw`(?:[NSEW]\.?|North|South|East|West|NE|NW|SE|SW)`;
const STREET_WORD = String.raw`(?:\p{Lu}[\p{Ll}'’.-]*\p{Ll}|\p{Lu}{2,}|\d{1,3}(?:st|nd|rd|th)|\p{Lu})`;
// Title case, or upper case for the long forms only (ST, CT, SQ, DR are clinical abbreviations in upper case).
const SUFFIX = `(?:${alt(STREET_SUFFIXES.flatMap((s) => (s.length > 3 ? [s, s.toUpperCase()] : [s])))})`;
const UNIT = String.raw`(?:,?[ \t]*(?:Apt|APT|Apartment|Suite|SUITE|Ste|STE|Unit|UNIT|Fl|Floor|Room|Rm|Bldg|Building|Lot|#)\.?[ \t]*#?[ \t]*[A-Za-z0-9][A-Za-z0-9-]*)`;
const CITY = String.raw`\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}+){0,2}`;
const STREET_RE = new RegExp(
  String.raw`(?<![\w#\/.,-])\d{1,6}[A-Z]?(?:-\d{1,4})?[ \t]+(?:${DIR}[ \t]+)?(?:${STREET_WORD}[ \t]+){1,4}${SUFFIX}\.?(?![\p{L}\d])` +
  String.raw`(?:[ \t]+${DIR}(?![\p{L}]))?${UNIT}?(?:,?[ \t]*${CITY}(?=,?[ \t]*${STATE}(?![\p{L}])))?`,
  "gu");
const PO_BOX = /\b(?:P\.?[ \t]?O\.?|Post[ \t]+Office|PO)[ \t]*Box[ \t]+\d{1,6}(?!\d)/giu;
const STATE_ZIP = new RegExp(String.raw`(?:,[ \t]*|(?<![\p{L}])(\p{Lu}\p{Ll}+)[ \t]+)${STATE}[ \t]+(\d{5}(?:-\d{4})?)(?![\d-])`, "gu");
const ZIP_LABEL = /\b(?:[Zz]ip|ZIP)(?:[ \t]*[Cc]ode|CODE)?|\b[Pp]ostal[ \t]*[Cc]ode|\b[Zz]ipcode/gu;
const ZIP_AFTER_LABEL = /[ \t]*(?:is|was|of|:|#)?[ \t]*(\d{5}(?:-\d{4})?)(?![\d-])/y;
const ZIP_AFTER_ADDRESS = new RegExp(String.raw`,?[ \t]*(?:${STATE},?[ \t]+)?(\d{5}(?:-\d{4})?)(?![\d-])`, "uy");
const CITY_BEFORE = /(\p{Lu}\p{Ll}+(?:[ \t]+\p{Lu}\p{Ll}+){0,2})$/u;
const UNIT_WORDS = new Set(["floor", "fl", "suite", "ste", "room", "rm", "unit", "apt", "apartment", "building", "bldg", "plaza", "box", "lot"]);
const COURT_INSTITUTION = /(?:Supreme|High|District|Federal|Juvenile|Family|Appeals?|County|Circuit|Magistrates?'?|Sessions)[ \t]+Court/;

function zipAfter(text: string, at: number, out: PhiHit[]): void {
  ZIP_AFTER_ADDRESS.lastIndex = at;
  const m = ZIP_AFTER_ADDRESS.exec(text);
  if (m) hit(out, "zip", ...tailSpan(m, 1), RANK_CONTEXT);
}

const ADDRESS_DETECTORS: PhiDetector[] = [
  {
    name: "address-street",
    types: ["address", "zip"],
    cues: [
      { words: STREET_SUFFIXES.map((w) => w.toLowerCase()), upper: true, before: /\d[A-Za-z]?(?:-\d{1,4})?[ \t][^\n]{0,60}$/ },
      { words: ["box"], follow: "[ \\t]+\\d" },
    ],
    features: 0,
    find(text, _s, out) {
      each(STREET_RE, text, (m) => {
        if (COURT_INSTITUTION.test(m[0])) return; // "in 1996 Supreme Court ..." is a court, not a street
        const end = m.index + m[0].length;
        hit(out, "address", m.index, end, RANK_SHAPE);
        zipAfter(text, end, out);
      });
      each(PO_BOX, text, (m) => {
        hit(out, "address", m.index, m.index + m[0].length, RANK_SHAPE);
        zipAfter(text, m.index + m[0].length, out);
      });
    },
  },
  {
    name: "address-zip",
    types: ["address", "zip"],
    cues: [{ words: ["zip", "zipcode", "postal"] }],
    features: F.zip5,
    find(text, _s, out) {
      each(STATE_ZIP, text, (m) => {
        if (m[1] && NAME_STOPWORDS.has(m[1].toLowerCase())) return; // "Patient ID 12345" is no Idaho ZIP
        hit(out, "zip", ...tailSpan(m, 2), RANK_CONTEXT);
        // the city before ", ST 12345" is a geographic subdivision smaller than a state
        const cityEnd = m[1] ? m.index + m[1].length : m.index;
        const cm = CITY_BEFORE.exec(m[1] ?? text.slice(Math.max(0, m.index - 40), m.index));
        if (cm) {
          // "8th Floor New York": the city is the words after any address-unit word
          const words = cm[1].split(/[ \t]+/);
          while (words.length > 0 && (NAME_STOPWORDS.has(words[0].toLowerCase()) || UNIT_WORDS.has(words[0].toLowerCase()))) words.shift();
          if (words.length > 0) {
            const city = cm[1].slice(cm[1].lastIndexOf(words[0]));
            hit(out, "address", cityEnd - city.length, cityEnd, RANK_SHAPE);
          }
        }
      });
      each(ZIP_LABEL, text, (m) => {
        ZIP_AFTER_LABEL.lastIndex = m.index + m[0].length;
        const z = ZIP_AFTER_LABEL.exec(text);
        if (z) hit(out, "zip", ...tailSpan(z, 1), RANK_LABEL);
      });
    },
  },
];

/** Every detector, in the order they run. */
export const PHI_DETECTORS: readonly PhiDetector[] = [
  emailDetector, urlDetector, ipDetector, ssnDetector, labeledIdDetector, phoneDetector, ...DATE_DETECTORS, ageDetector,
  ...ADDRESS_DETECTORS, ...NAME_DETECTORS,
];

// ---------------------------------------------------------------------------------------------------------------
// Triggers: one pass over the characters hashes every word (a maximal run of ASCII letters) and checks the features
// where they can start: at a digit run or at one of @ : # / . - (a few in a hundred characters). The loop has no
// branch per word: it looks the running hash up in a filter at every character and leaves only on a filter hit at a
// word's end (then compares the word with the cue words of its hash), a digit or a mark. Detectors that nothing
// triggered are skipped, which is what makes the scrub cheap on clinical text.
interface CueCheck {
  bit: number;
  /** The cue word, lower case. */
  word: string;
  follow: RegExp | null;
  /** `before` as a sticky lookbehind, run at the word's start. */
  before: RegExp | null;
  upper: boolean;
}

/** The compiled triggers of a set of detectors (see compileTriggers). */
export interface PhiTriggers {
  nDetectors: number;
  /** The cue checks by word hash (CUE_FILTER tells which hashes may have some). */
  byHash: (CueCheck[] | undefined)[];
  /** The checks of cue words that must follow a dot, by word hash. */
  afterDot: Map<number, CueCheck[]>;
  /** The detectors each feature triggers. */
  byFeature: { feature: number; bits: number }[];
}

// A character's class, one int per UTF-16 code unit: bits 0-4 an ASCII letter's code (a and A are 1, z and Z 26),
// bit 5 a digit, bit 6 a mark, bit 15 "not a letter", bits 16-30 the word hash's mask (all ones for a letter, 0 for
// anything else: a non-letter ends the word and resets the hash). Packing these saves the loop a few operations.
const CLASS_CODE = 31;
const CLASS_DIGIT = 32;
const CLASS_MARK = 64;
const MARKS = "@:#/.-";
// A word's hash: h = 65·h + code over its letters, in 15 bits (every letter counts; codes land 6 bits apart); the
// filter is indexed by it.
const HASH_BITS = 15;
const HASH_MASK = (1 << HASH_BITS) - 1;
const CHAR_CLASS = new Int32Array(65536).fill(1 << 15);
for (let c = 0; c < 26; c++) CHAR_CLASS[65 + c] = CHAR_CLASS[97 + c] = (c + 1) | (HASH_MASK << 16);
for (let c = 48; c <= 57; c++) CHAR_CLASS[c] = CLASS_DIGIT | (1 << 15);
for (const ch of MARKS) CHAR_CLASS[ch.charCodeAt(0)] = CLASS_MARK | (1 << 15);
const isAsciiLetter = (c: number): boolean => (CHAR_CLASS[c] & CLASS_CODE) !== 0;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
// 1 for the hash of every compiled cue word (without `prev`), shared by all compiled triggers: a constant table keeps
// the hot loop lean; a word of another trigger set only costs a look into byHash that finds no check.
const CUE_FILTER = new Uint8Array(HASH_MASK + 1);

function wordHash(text: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (65 * h + (CHAR_CLASS[text.charCodeAt(i)] & CLASS_CODE)) & HASH_MASK;
  return h;
}

/** Compiles the triggers of `detectors` (bit i of a result stands for detectors[i]; at most 31 detectors). */
export function compileTriggers(detectors: readonly PhiDetector[]): PhiTriggers {
  if (detectors.length > 31) throw new Error("at most 31 PHI detectors");
  const byHash: (CueCheck[] | undefined)[] = new Array(HASH_MASK + 1);
  const afterDot = new Map<number, CueCheck[]>();
  const byFeature: PhiTriggers["byFeature"] = [];
  detectors.forEach((d, i) => {
    for (const cue of d.cues) {
      if (cue.prev !== undefined && cue.prev !== ".") throw new Error(`PHI cue prev "${cue.prev}" of detector ${d.name}: only "." is supported`);
      for (const w of cue.words) {
        if (!/^[a-z]+$/.test(w)) throw new Error(`PHI cue word "${w}" of detector ${d.name} must be lower-case ASCII letters`);
        const check: CueCheck = {
          bit: 1 << i,
          word: w,
          follow: cue.follow ? new RegExp(cue.follow, "y") : null,
          before: cue.before ? new RegExp(`(?<=${cue.before.source.replace(/\$$/, "")})`, cue.before.flags + "y") : null,
          upper: cue.upper ?? false,
        };
        const h = wordHash(w, 0, w.length);
        if (cue.prev === undefined) {
          (byHash[h] ??= []).push(check);
          CUE_FILTER[h] = 1;
        } else {
          afterDot.set(h, [...(afterDot.get(h) ?? []), check]);
        }
      }
    }
    for (const f of Object.values(FEATURE)) {
      if ((d.features & f) === 0) continue;
      const entry = byFeature.find((e) => e.feature === f) ?? byFeature[byFeature.push({ feature: f, bits: 0 }) - 1];
      entry.bits |= 1 << i;
    }
  });
  return { nDetectors: detectors.length, byHash, afterDot, byFeature };
}

/** Bits of the cue checks that fire on the word that ends at `end` (`fire` holds bits already set). */
function wordFires(text: string, end: number, checks: readonly CueCheck[], fire: number): number {
  for (const c of checks) {
    const start = end - c.word.length;
    if ((fire & c.bit) !== 0 || start < 0 || (start > 0 && isAsciiLetter(text.charCodeAt(start - 1)))) continue;
    let same = true;
    for (let j = c.word.length - 1; j >= 0 && same; j--) same = (text.charCodeAt(start + j) | 32) === c.word.charCodeAt(j);
    if (!same) continue;
    if (c.upper) {
      const ch = text.charCodeAt(start);
      if (ch < 65 || ch > 90) continue;
    }
    if (c.follow) {
      c.follow.lastIndex = end;
      if (!c.follow.test(text)) continue;
    }
    if (c.before) {
      c.before.lastIndex = start;
      if (!c.before.test(text)) continue;
    }
    fire |= c.bit;
  }
  return fire;
}

// The features, each checked where its shape starts (the sticky regexes run at the position given). Where a detector
// pattern starts at a digit run, the feature is that pattern itself.
const DOTTED_QUAD = new RegExp(IPV4.source, "y");
const SSN_DIGITS = new RegExp(SSN_SHAPE.source, "y");
const DATE_DIGITS = new RegExp(DATE_NUM.source, "y");
const ISO_DATE_DIGITS = new RegExp(DATE_ISO.source, "y");
const DEA_DIGITS = /[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}/y; // one or two characters before a run of 7+ digits
const PHONE_DIGITS = /\d{3}(?:\)[ \t]?\d{3}[ \t.-]?\d{4}|([.-])\d{3}\1\d{4}|[ \t]\d{3}[ \t]\d{4})/y; // at the area code, a run's last 3 digits
const AGE_90 = /(?:9\d|1[0-2]\d)[ \t]*-?[ \t]*[yY]|(?:90|100)'?s/y; // at a run of 90..129
const ZIP_5 = /(?<=[A-Za-z][ \t]+)\d{5}/y; // at a run of exactly five digits
const ON_MONTH_DAY = /(?<=\b[Oo]n[ \t]+)\d\d?\/\d/y; // at a run of one or two digits
const COLON_HEX = /:[0-9A-Fa-f]{0,4}:/y;
const HEX_DASHES = /-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-[0-9A-Fa-f]{2}-/y;
const MR_HASH = /(?<=MR[ \t]?)#/y;
const SLASH_LABEL = /\b[AaSs]\/[CcNn]\b/y; // one character before the slash
const SSN_DOTS = /S\.S\.N/y; // one character before the first dot
const DOB_DOTS = /D\.O\.B/y;
const DEGREE_DOTS = /M\.D\.|D\.O\./y;
const PHD_DOTS = /Ph\.D\./y; // two characters before the first dot

function stickyAt(re: RegExp, text: string, at: number): boolean {
  if (at < 0) return false;
  re.lastIndex = at;
  return re.test(text);
}

/** Features of the digit run [start, end). */
function digitFeatures(text: string, start: number, end: number): number {
  const len = end - start;
  const after = end < text.length ? text.charCodeAt(end) : 0;
  let feats = 0;
  if (after === 46 && len <= 3 && stickyAt(DOTTED_QUAD, text, start)) feats |= F.dottedQuad;
  if ((after === 47 || after === 46 || after === 45) && (len <= 2 ? stickyAt(DATE_DIGITS, text, start) : len === 4 && stickyAt(ISO_DATE_DIGITS, text, start))) {
    feats |= F.dateDigits;
  }
  if (len === 3 && after === 45 && stickyAt(SSN_DIGITS, text, start)) feats |= F.ssnDigits;
  if (len >= 3 && stickyAt(PHONE_DIGITS, text, end - 3)) feats |= F.phoneDigits;
  if (len >= 7 && (stickyAt(DEA_DIGITS, text, start - 2) || stickyAt(DEA_DIGITS, text, start - 1))) feats |= F.deaDigits;
  const d0 = text.charCodeAt(start);
  const d1 = text.charCodeAt(start + 1);
  if (((len === 2 && d0 === 57) || (len === 3 && d0 === 49 && d1 <= 50)) && stickyAt(AGE_90, text, start)) feats |= F.age90;
  if (len === 5 && stickyAt(ZIP_5, text, start)) feats |= F.zip5;
  if (len <= 2 && after === 47 && stickyAt(ON_MONTH_DAY, text, start)) feats |= F.onMonthDay;
  return feats;
}

/** Features that start at the mark character `c` at `i`. */
function markFeatures(text: string, i: number, c: number): number {
  switch (c) {
    case 64: // @
      return F.at;
    case 58: // :
      if (text.charCodeAt(i + 1) === 47 && text.charCodeAt(i + 2) === 47) return F.schemeSlashes;
      return stickyAt(COLON_HEX, text, i) ? F.colonHex : 0;
    case 35: // #
      return stickyAt(MR_HASH, text, i) ? F.mrHash : 0;
    case 45: // - (a dash follows two characters later)
      return stickyAt(HEX_DASHES, text, i) ? F.hexDashes : 0;
    case 47: // /
      return stickyAt(SLASH_LABEL, text, i - 1) ? F.slashLabel : 0;
    default: // . (a letter follows)
      if (i === 0 || !isAsciiLetter(text.charCodeAt(i - 1))) return 0;
      return (stickyAt(SSN_DOTS, text, i - 1) ? F.ssnDots : 0) | (stickyAt(DOB_DOTS, text, i - 1) ? F.dobDots : 0) |
        (stickyAt(DEGREE_DOTS, text, i - 1) || stickyAt(PHD_DOTS, text, i - 2) ? F.degreeDots : 0);
  }
}

// The state of the hash loop between two events (kept outside it so the loop stays small).
let loopHash = 0;
let loopWordEnded = false;

/**
 * The first i' >= i where a word whose hash passes the filter ends, or a digit or a mark stands (n when none). Sets
 * loopWordEnded, and loopHash to the hash of the word that ends at i' (at n: of the word that ends the text).
 */
function nextEvent(text: string, i: number, n: number): number {
  let h = loopHash;
  for (; i < n; i++) {
    const cls = CHAR_CLASS[text.charCodeAt(i)];
    const ended = CUE_FILTER[h] & (cls >> 15); // 1 when a non-letter ends a word whose hash is a cue word's
    if ((ended | (cls & (CLASS_DIGIT | CLASS_MARK))) !== 0) {
      loopHash = h;
      loopWordEnded = ended !== 0;
      return i;
    }
    h = (65 * h + (cls & CLASS_CODE)) & (cls >>> 16);
  }
  loopHash = h;
  loopWordEnded = false;
  return n;
}

/** Bit i set when detector i may report a hit in the text: one of its cues or features is present. */
export function triggeredDetectors(text: string, t: PhiTriggers): number {
  const all = t.nDetectors >= 31 ? -1 : (1 << t.nDetectors) - 1;
  let fire = 0;
  let feats = 0;
  const n = text.length;
  loopHash = 0;
  for (let i = nextEvent(text, 0, n); i < n; i = nextEvent(text, i + 1, n)) {
    if (loopWordEnded) {
      const checks = t.byHash[loopHash];
      if (checks !== undefined) fire = wordFires(text, i, checks, fire);
      if (fire === all) return fire;
    }
    loopHash = 0; // every event stands at a non-letter
    const c = text.charCodeAt(i);
    const cls = CHAR_CLASS[c] & (CLASS_DIGIT | CLASS_MARK);
    if (cls === CLASS_DIGIT) {
      let end = i + 1;
      while (end < n && isDigit(text.charCodeAt(end))) end++;
      feats |= digitFeatures(text, i, end);
      i = end - 1;
    } else if (cls === CLASS_MARK) {
      // most dots end sentences and most dashes join words: nothing starts there
      if (c === 46 ? !isAsciiLetter(i + 1 < n ? text.charCodeAt(i + 1) : 0) : c === 45 && text.charCodeAt(i + 3) !== 45) continue;
      feats |= markFeatures(text, i, c);
      if (c === 46 && t.afterDot.size > 0) {
        let end = i + 1;
        while (end < n && isAsciiLetter(text.charCodeAt(end))) end++;
        const checks = t.afterDot.get(wordHash(text, i + 1, end));
        if (checks !== undefined) fire = wordFires(text, end, checks, fire);
      }
    }
  }
  const lastChecks = n > 0 && isAsciiLetter(text.charCodeAt(n - 1)) ? t.byHash[loopHash] : undefined; // a word ends the text
  if (lastChecks !== undefined) fire = wordFires(text, n, lastChecks, fire);
  for (const f of t.byFeature) if ((feats & f.feature) !== 0) fire |= f.bits;
  return fire;
}
