// PHI scrub, stage 4 of `data prepare`: finds the HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) that occur
// in an item's free text and replaces each with a typed placeholder, counted by type. The detectors live in
// phi-patterns.ts, their word lists in phi-lexicon.ts; this file resolves overlaps and applies the options.
import { MedtuneError } from "../core/index.ts";
import type { QAItem } from "./schema.ts";
import {
  PHI_DETECTORS, PHI_PLACEHOLDERS, PHI_TYPES, compileTriggers, triggeredDetectors, type DetectSettings, type PhiDetector, type PhiHit,
  type PhiTriggers, type PhiType,
} from "./phi-patterns.ts";
import { REFERENCE_DOMAINS } from "./phi-lexicon.ts";

export { PHI_TYPES, PHI_PLACEHOLDERS, isReferenceUrl, type PhiType } from "./phi-patterns.ts";
export { REFERENCE_DOMAINS } from "./phi-lexicon.ts";

/** Replacement counts by identifier type (types with no replacement are absent). */
export type PhiCounts = Partial<Record<PhiType, number>>;

/** One replaced identifier: its type, [start, end) in the input text and the text it replaced. */
export interface PhiSpan {
  type: PhiType;
  start: number;
  end: number;
  original: string;
}

/** What scrubPhi returns: the scrubbed text, counts by type, and the spans when `withSpans` was set. */
export interface PhiResult {
  text: string;
  counts: PhiCounts;
  spans?: PhiSpan[];
}

/**
 * URL policy. Safe Harbor's identifier (N) is a URL *of the individual*: a link to a public reference page (an NIH
 * fact sheet, a guideline, a support group's site) identifies no one, and QA datasets cite such pages by the
 * thousand (MedQuAD answers, MedMCQA explanations). Replacing them would corrupt training text and protect nobody.
 * - `patient-context` (default): keep reference-domain URLs (REFERENCE_DOMAINS) unless their query names a person
 *   (`?patient=`, `mrn=`...); replace any other URL that looks personal (a portal, a profile, a `~user` page, a
 *   personal query field) or sits in a sentence about one person (he, she, the patient, Mr ..., my ...).
 * - `keep-reference`: keep reference-domain URLs, replace every other URL.
 * - `all`: replace every URL.
 */
export type PhiUrlPolicy = "patient-context" | "keep-reference" | "all";
const URL_POLICIES: readonly PhiUrlPolicy[] = ["patient-context", "keep-reference", "all"];

/** Options of scrubPhi and scrubItemPhi; the same object may be passed for every call (it is compiled once). */
export interface PhiOptions {
  /** Identifier types to replace (default: every type in PHI_TYPES). Unknown names are an error. */
  types?: readonly string[];
  /** Identifier types to leave alone, applied after `types`. */
  exclude?: readonly string[];
  /** Which URLs to replace (default `patient-context`; see PhiUrlPolicy). */
  urls?: PhiUrlPolicy;
  /** Hosts whose URLs count as public reference pages (default REFERENCE_DOMAINS); a host matches itself and its subdomains. */
  referenceDomains?: readonly string[];
  /** Keep toll-free numbers (800, 888, ...): organization help lines, never one patient's number (default true). */
  keepTollFree?: boolean;
  /**
   * Keep dates in a sentence about a study population or a public event (patients enrolled between ..., an Act, an
   * FDA approval, a publication) that mentions no single person: they date no individual (default true).
   */
  keepNonPersonalDates?: boolean;
  /** Year birth years are measured against: a birth year more than 89 years earlier reveals an age over 89 (default: this year). */
  referenceYear?: number;
  /** Replacement strings per type (default PHI_PLACEHOLDERS). */
  placeholders?: Partial<Record<PhiType, string>>;
  /** Also return each replaced span (for tests and audits). */
  withSpans?: boolean;
}

interface CompiledOptions {
  enabled: ReadonlySet<PhiType>;
  detectors: readonly PhiDetector[];
  triggers: PhiTriggers;
  settings: DetectSettings;
  placeholders: Record<PhiType, string>;
  withSpans: boolean;
}

const compiled = new WeakMap<PhiOptions, CompiledOptions>();
const DEFAULT_OPTIONS: PhiOptions = {};

function checkTypes(list: readonly string[] | undefined, field: string): PhiType[] | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new MedtuneError("phi.bad-option", `${field} must be a list of identifier types`, { where: `phi.${field}`, hint: `use some of: ${PHI_TYPES.join(", ")}` });
  for (const t of list) {
    if (!(PHI_TYPES as readonly string[]).includes(t)) {
      throw new MedtuneError("phi.unknown-type", `unknown PHI identifier type "${t}"`, { where: `phi.${field}`, hint: `use some of: ${PHI_TYPES.join(", ")}` });
    }
  }
  return list as PhiType[];
}

// Callers that build a fresh options object per item ({ types: cfg.types }) still compile once per distinct content.
const compiledByKey = new Map<string, CompiledOptions>();
const MAX_KEYED = 64;

function compile(opts: PhiOptions): CompiledOptions {
  const cached = compiled.get(opts);
  if (cached) return cached;
  const key = JSON.stringify(opts);
  const keyed = compiledByKey.get(key);
  if (keyed) {
    compiled.set(opts, keyed);
    return keyed;
  }
  const c = compileFresh(opts);
  if (compiledByKey.size >= MAX_KEYED) compiledByKey.delete(compiledByKey.keys().next().value!);
  compiledByKey.set(key, c);
  compiled.set(opts, c);
  return c;
}

function compileFresh(opts: PhiOptions): CompiledOptions {
  const include = checkTypes(opts.types, "types") ?? PHI_TYPES;
  const exclude = new Set(checkTypes(opts.exclude, "exclude") ?? []);
  const enabled = new Set<PhiType>(include.filter((t) => !exclude.has(t)));
  if (opts.urls !== undefined && !URL_POLICIES.includes(opts.urls)) {
    throw new MedtuneError("phi.bad-option", `unknown URL policy "${String(opts.urls)}"`, { where: "phi.urls", hint: `use one of: ${URL_POLICIES.join(", ")}` });
  }
  const placeholders = { ...PHI_PLACEHOLDERS, ...(opts.placeholders ?? {}) };
  const detectors = PHI_DETECTORS.filter((d) => d.types.some((t) => enabled.has(t)));
  const c: CompiledOptions = {
    enabled,
    detectors,
    triggers: compileTriggers(detectors),
    settings: {
      keepTollFree: opts.keepTollFree ?? true,
      keepNonPersonalDates: opts.keepNonPersonalDates ?? true,
      urlPolicy: opts.urls ?? "patient-context",
      referenceDomains: (opts.referenceDomains ?? REFERENCE_DOMAINS).map((d) => d.toLowerCase().replace(/^\.+/, "")),
      referenceYear: opts.referenceYear ?? new Date().getUTCFullYear(),
    },
    placeholders,
    withSpans: opts.withSpans ?? false,
  };
  return c;
}

/** Orders hits by start, longer first, then by rank, and drops every hit that overlaps one already kept. */
function resolve(hits: PhiHit[]): PhiHit[] {
  if (hits.length <= 1) return hits;
  hits.sort((a, b) => a.start - b.start || b.end - a.end || b.rank - a.rank);
  const kept: PhiHit[] = [];
  let lastEnd = -1;
  for (const h of hits) {
    if (h.start < lastEnd) continue;
    kept.push(h);
    lastEnd = h.end;
  }
  return kept;
}

const NO_HITS: readonly PhiHit[] = [];

/**
 * The identifiers of the enabled types in `text`, resolved, in text order. The context is `context`, or
 * `context + "\n" + contextTail` when a tail is given: joined only when some detector runs (most texts run none).
 */
function hitsOf(text: string, c: CompiledOptions, context?: string, contextTail?: string): readonly PhiHit[] {
  if (text.length < 4) return NO_HITS;
  const fire = triggeredDetectors(text, c.triggers);
  if (fire === 0) return NO_HITS;
  const joined = contextTail === undefined ? context : `${context}\n${contextTail}`;
  const hits: PhiHit[] = [];
  for (let i = 0; i < c.detectors.length; i++) if (fire & (1 << i)) c.detectors[i].find(text, c.settings, hits, joined);
  let n = 0;
  for (let i = 0; i < hits.length; i++) if (c.enabled.has(hits[i].type)) hits[n++] = hits[i];
  hits.length = n;
  return resolve(hits);
}

/** `text` with each hit replaced by its placeholder. */
function replaceHits(text: string, hits: readonly PhiHit[], placeholders: Record<PhiType, string>): string {
  let out = "";
  let at = 0;
  for (const h of hits) {
    out += text.slice(at, h.start) + placeholders[h.type];
    at = h.end;
  }
  return out + text.slice(at);
}

/**
 * Replaces the Safe Harbor identifiers in one text with typed placeholders; counts (and optionally spans) by type.
 * `context` is text the scanned text belongs with (an option's question): it can show that a date is a public event's.
 */
export function scrubPhi(text: string, opts: PhiOptions = DEFAULT_OPTIONS, context?: string): PhiResult {
  const c = compile(opts);
  const counts: PhiCounts = {};
  const hits = hitsOf(text, c, context);
  if (hits.length === 0) return c.withSpans ? { text, counts, spans: [] } : { text, counts };
  for (const h of hits) counts[h.type] = (counts[h.type] ?? 0) + 1;
  const out = replaceHits(text, hits, c.placeholders);
  if (!c.withSpans) return { text: out, counts };
  return { text: out, counts, spans: hits.map((h) => ({ type: h.type, start: h.start, end: h.end, original: text.slice(h.start, h.end) })) };
}

/** Adds `b`'s counts into `a` (in place) and returns `a`. */
export function addPhiCounts(a: PhiCounts, b: PhiCounts): PhiCounts {
  for (const t of PHI_TYPES) {
    const v = b[t];
    if (v) a[t] = (a[t] ?? 0) + v;
  }
  return a;
}

/** What scrubItemPhi returns: the item (the same object when nothing changed), counts, and the fields it changed. */
export interface PhiItemResult {
  item: QAItem;
  counts: PhiCounts;
  /** Changed fields, named like quarantine fields: `question`, `options.C`, `answer`, `context.0`, `explanation`. */
  fields: string[];
}

/**
 * Scrubs one field of an item: the scrubbed text, or `text` itself when nothing changed. A changed field adds its
 * counts to `counts` in PHI_TYPES order, as addPhiCounts does.
 */
function scrubField(text: string, c: CompiledOptions, counts: PhiCounts, context?: string, contextTail?: string): string {
  const hits = hitsOf(text, c, context, contextTail);
  if (hits.length === 0) return text;
  const out = replaceHits(text, hits, c.placeholders);
  if (out === text) return text;
  for (const t of PHI_TYPES) {
    let n = 0;
    for (const h of hits) if (h.type === t) n++;
    if (n > 0) counts[t] = (counts[t] ?? 0) + n;
  }
  return out;
}

/** Scrubs every string in a JSON-like value (uncounted); returns `v` itself when nothing in it changed. */
function scrubRaw(v: unknown, c: CompiledOptions): unknown {
  if (typeof v === "string") {
    const hits = hitsOf(v, c);
    return hits.length === 0 ? v : replaceHits(v, hits, c.placeholders);
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = scrubRaw(v[i], c);
      if (out === undefined && x !== v[i]) out = v.slice(0, i);
      out?.push(x);
    }
    return out ?? v;
  }
  if (v !== null && typeof v === "object") {
    let out: Record<string, unknown> | undefined;
    const o = v as Record<string, unknown>;
    for (const k in o) {
      if (!Object.hasOwn(o, k)) continue;
      const y = scrubRaw(o[k], c);
      if (y !== o[k]) (out ??= { ...o })[k] = y;
    }
    return out ?? v;
  }
  return v;
}

/**
 * Scrubs an item's free-text fields (question, option texts, answer, context passages, explanation). The cleaner's
 * `raw` copies of those fields are scrubbed too (uncounted), so no original identifier survives beside the item;
 * `metadata` and `subject` are left as the adapter wrote them.
 */
export function scrubItemPhi(item: QAItem, opts: PhiOptions = DEFAULT_OPTIONS): PhiItemResult {
  const c = compile(opts);
  const counts: PhiCounts = {};
  const fields: string[] = [];
  const question = scrubField(item.question, c, counts);
  if (question !== item.question) fields.push("question");
  // an option or answer is read with its question and explanation ("COPRA came into action on:" + "... Act ...")
  const tail = item.explanation ? item.explanation : undefined;
  let options = item.options;
  for (let i = 0; item.options !== undefined && i < item.options.length; i++) {
    const o = item.options[i];
    const text = scrubField(o.text, c, counts, item.question, tail);
    if (text === o.text) continue;
    fields.push(`options.${o.label}`);
    if (options === item.options) options = item.options.slice();
    options![i] = { ...o, text };
  }
  const answer = scrubField(item.answer, c, counts, item.question, tail);
  if (answer !== item.answer) fields.push("answer");
  let context = item.context;
  for (let i = 0; item.context !== undefined && i < item.context.length; i++) {
    const text = scrubField(item.context[i], c, counts);
    if (text === item.context[i]) continue;
    fields.push(`context.${i}`);
    if (context === item.context) context = item.context.slice();
    context![i] = text;
  }
  const explanation = item.explanation === undefined ? undefined : scrubField(item.explanation, c, counts, item.question);
  if (explanation !== item.explanation) fields.push("explanation");
  const raw = item.raw === undefined ? undefined : (scrubRaw(item.raw, c) as Record<string, unknown>);
  if (fields.length === 0 && raw === item.raw) return { item, counts, fields };
  const next: QAItem = { ...item, question, answer };
  if (options) next.options = options;
  if (context) next.context = context;
  if (explanation !== undefined) next.explanation = explanation;
  if (raw !== undefined) next.raw = raw;
  return { item: next, counts, fields };
}
