// Multiple-choice options in the canonical form: [{label: "A", text}, ...] in source order, and the gold label
// resolved from what a dataset stores (an option key, a 0- or 1-based index, or the answer text). A gold key that
// names no option is a RecordError `answer.out-of-range`.
import { OPTION_LABELS, type Option } from "../schema.ts";
import { RecordError, asText, isObject, typeName } from "./record-fields.ts";

/** Options with canonical labels plus the keys the source used for them (same order). */
export interface SourceOptions {
  options: Option[];
  /** The source's own key of each option (`A`, `a`, `1`, `opa`, ...). */
  keys: string[];
}

/** Labels `texts` A, B, C... in order; more than OPTION_LABELS.length options is a RecordError. */
export function labelOptions(texts: string[], keys: string[], field: string): SourceOptions {
  if (texts.length > OPTION_LABELS.length) {
    throw new RecordError(field, "options.too-many", `"${field}" has ${texts.length} options, more than the ${OPTION_LABELS.length} medtune supports: split the item or drop options`);
  }
  return { options: texts.map((text, i) => ({ label: OPTION_LABELS[i], text })), keys };
}

/** Options from an object field `{A: "...", B: "..."}` in key order. */
export function optionsFromObject(obj: Record<string, unknown>, field: string): SourceOptions {
  const keys = Object.keys(obj);
  return labelOptions(keys.map((k) => asText(obj[k], `${field}.${k}`) ?? ""), keys, field);
}

/** Options from an array field: strings, or objects `{key|label, value|text}` (HF/bigbio style). */
export function optionsFromArray(arr: unknown[], field: string): SourceOptions {
  const keys: string[] = [];
  const texts: string[] = [];
  arr.forEach((el, i) => {
    if (isObject(el)) {
      const key = asText(el.key ?? el.label, `${field}.${i}.key`);
      const text = asText(el.value ?? el.text, `${field}.${i}.text`);
      if (text === undefined) throw new RecordError(`${field}.${i}`, "field.type", `option ${i + 1} of "${field}" has no "text" or "value": give each option its text`);
      keys.push(key ?? OPTION_LABELS[i] ?? String(i));
      texts.push(text);
    } else {
      keys.push(OPTION_LABELS[i] ?? String(i));
      texts.push(asText(el, `${field}.${i}`) ?? "");
    }
  });
  return labelOptions(texts, keys, field);
}

/** Options from an object or array value; RecordError when the value is neither. */
export function optionsFromValue(v: unknown, field: string): SourceOptions {
  if (Array.isArray(v)) return optionsFromArray(v, field);
  if (isObject(v)) return optionsFromObject(v, field);
  if (v === undefined || v === null) throw new RecordError(field, "field.missing", `the record has no "${field}": add the options`);
  throw new RecordError(field, "field.type", `"${field}" is ${typeName(v)}; expected an array of options or an object {A: text, ...}`);
}

function keyList(keys: string[]): string {
  return keys.length === 0 ? "none" : keys.join(", ");
}

/** Gold label from a source key (`answer_idx: "D"`), matched case-insensitively against the source keys. */
export function goldByKey(opts: SourceOptions, gold: string, field: string): string {
  const g = gold.trim();
  if (g === "") throw new RecordError(field, "answer.missing", `"${field}" is empty: give the gold option's key`);
  let i = opts.keys.findIndex((k) => k === g);
  if (i < 0) i = opts.keys.findIndex((k) => k.trim().toUpperCase() === g.toUpperCase());
  if (i < 0) throw new RecordError(field, "answer.out-of-range", `"${field}" is "${g}" but the options are ${keyList(opts.keys)}: fix the answer key or add the missing option`);
  return opts.options[i].label;
}

/** Gold label from an index (`base` 0 or 1) given as a number or numeric string. */
export function goldByIndex(opts: SourceOptions, gold: unknown, base: 0 | 1, field: string): string {
  const n = typeof gold === "number" ? gold : typeof gold === "string" && /^\s*-?\d+\s*$/.test(gold) ? Number(gold) : NaN;
  if (!Number.isInteger(n)) throw new RecordError(field, "answer.type", `"${field}" is ${JSON.stringify(gold)}, not an integer option index: fix the answer or the answer format`);
  const i = n - base;
  if (i < 0 || i >= opts.options.length) {
    throw new RecordError(field, "answer.out-of-range", `"${field}" is ${n} but there are ${opts.options.length} options (${base}-based, so ${base}..${opts.options.length - 1 + base}): fix the answer index`);
  }
  return opts.options[i].label;
}

/** Gold label from the answer text: exact match first, then trimmed case-insensitive; must be unique. */
export function goldByText(opts: SourceOptions, gold: string, field: string): string {
  let hits = opts.options.filter((o) => o.text === gold);
  if (hits.length === 0) {
    const g = gold.trim().toLowerCase();
    hits = opts.options.filter((o) => o.text.trim().toLowerCase() === g);
  }
  if (hits.length === 0) throw new RecordError(field, "answer.out-of-range", `"${field}" (${JSON.stringify(gold.slice(0, 80))}) matches none of the options' texts: fix the answer text or the options`);
  if (hits.length > 1) throw new RecordError(field, "answer.ambiguous", `"${field}" matches ${hits.length} options (${hits.map((h) => h.label).join(", ")}): make the options distinct or give the answer as a label`);
  return hits[0].label;
}
