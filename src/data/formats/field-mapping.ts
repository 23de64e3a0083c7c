// Applies a FieldMapping to one record for the generic JSONL/CSV adapters: options as an array field, an object
// field {A: text} or a list of fields (trailing absent/empty ones omitted, for files whose items have 4 or 5
// options); answers as label, 0-/1-based index or text; kind explicit or inferred (options -> mcq, yes/no/maybe ->
// yesno, else open).
import { MedtuneError } from "../../core/index.ts";
import { YESNO_LABELS, type QAItem } from "../schema.ts";
import type { FieldMapping } from "./types.ts";
import { goldByIndex, goldByKey, goldByText, labelOptions, optionsFromValue, type SourceOptions } from "./mcq-options.ts";
import { RecordError, asText, fileMetadata, makeId, positionId, typeName } from "./record-fields.ts";

const ANSWER_FORMATS = ["label", "index0", "index1", "text"] as const;
const KINDS = ["mcq", "yesno", "open"] as const;

/** Checks a mapping before reading; throws a MedtuneError naming the bad key. */
export function checkMapping(mapping: FieldMapping | undefined, adapter: string): FieldMapping {
  const bad = (msg: string): never => {
    throw new MedtuneError("data.mapping", `${adapter}: ${msg}`, { hint: "give a mapping such as {question: \"q\", answer: \"a\", options: [\"opa\", \"opb\"], answerFormat: \"label\"}" });
  };
  if (mapping === undefined) return bad("this adapter needs a field mapping (at least question and answer)");
  if (typeof mapping.question !== "string" || mapping.question === "") bad("mapping.question must name the question field");
  if (typeof mapping.answer !== "string" || mapping.answer === "") bad("mapping.answer must name the answer field");
  if (mapping.answerFormat !== undefined && !(ANSWER_FORMATS as readonly string[]).includes(mapping.answerFormat)) bad(`mapping.answerFormat is "${mapping.answerFormat}", expected one of ${ANSWER_FORMATS.join(", ")}`);
  if (mapping.kind !== undefined && !(KINDS as readonly string[]).includes(mapping.kind)) bad(`mapping.kind is "${mapping.kind}", expected one of ${KINDS.join(", ")}`);
  if (mapping.kind === "mcq" && mapping.options === undefined) bad("mapping.kind is mcq but mapping.options is not given");
  if (Array.isArray(mapping.options) && mapping.options.length === 0) bad("mapping.options is an empty list; name the option fields");
  return mapping;
}

/** The fields a mapping reads (for header checks). */
export function mappedFields(m: FieldMapping): string[] {
  const out = [m.question, m.answer];
  for (const f of [m.id, m.context, m.explanation, m.subject]) if (f !== undefined) out.push(f);
  if (typeof m.options === "string") out.push(m.options);
  else if (Array.isArray(m.options)) out.push(...m.options);
  return out;
}

/** Where a record comes from and how to name it. */
export interface MappingContext {
  file: string;
  line: number;
  source: string;
  subject?: string;
  /** CSV cells are text: an options column may hold a JSON array or object. */
  isCsv: boolean;
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

function readOptions(get: (f: string) => unknown, m: FieldMapping, ctx: MappingContext): SourceOptions {
  if (Array.isArray(m.options)) {
    const fields = m.options;
    let n = fields.length;
    while (n > 0 && isAbsent(get(fields[n - 1]))) n--;
    const texts = fields.slice(0, n).map((f) => asText(get(f), f) ?? "");
    const src = labelOptions(texts, [], "options");
    return { options: src.options, keys: src.options.map((o) => o.label) };
  }
  const field = m.options as string;
  let v = get(field);
  if (ctx.isCsv && typeof v === "string" && /^\s*[[{]/.test(v)) {
    try {
      v = JSON.parse(v);
    } catch {
      throw new RecordError(field, "field.type", `column "${field}" looks like JSON but does not parse: write the options as a JSON array or map one column per option`);
    }
  } else if (ctx.isCsv && typeof v === "string") {
    throw new RecordError(field, "field.type", `column "${field}" holds plain text; map a list of columns (one per option) or store a JSON array in it`);
  }
  return optionsFromValue(v, field);
}

function resolveGold(src: SourceOptions, raw: unknown, m: FieldMapping): string {
  const field = m.answer;
  const format = m.answerFormat ?? "label";
  if (format === "index0" || format === "index1") return goldByIndex(src, raw, format === "index0" ? 0 : 1, field);
  const text = asText(raw, field) ?? "";
  if (format === "text") return goldByText(src, text, field);
  // label: the option's label or source key; with a list of option fields, the field's own name also counts.
  if (Array.isArray(m.options)) {
    const i = m.options.indexOf(text.trim());
    if (i >= 0 && i < src.options.length) return src.options[i].label;
  }
  return goldByKey(src, text, field);
}

function listOrText(v: unknown, field: string): string[] | undefined {
  if (isAbsent(v)) return undefined;
  if (Array.isArray(v)) return v.map((x, i) => asText(x, `${field}.${i}`) ?? "");
  return [asText(v, field) as string];
}

/** Maps one record through `m`; `get` reads a field (dotted path for JSON, column name for CSV). */
export function applyMapping(get: (f: string) => unknown, m: FieldMapping, ctx: MappingContext): QAItem {
  const question = asText(get(m.question), m.question);
  if (question === undefined) throw new RecordError(m.question, "field.missing", `the record has no "${m.question}" (mapped as the question): add it or fix the mapping`);
  const rawAnswer = get(m.answer);
  if (rawAnswer === undefined || rawAnswer === null) throw new RecordError(m.answer, "field.missing", `the record has no "${m.answer}" (mapped as the answer): add it or fix the mapping`);
  const metadata = fileMetadata(ctx.file);
  const idValue = m.id === undefined ? undefined : asText(get(m.id), m.id);
  const id = makeId(ctx.source, idValue !== undefined && idValue !== "" ? idValue : positionId(ctx.file, ctx.line));
  let kind = m.kind ?? (m.options !== undefined ? "mcq" : undefined);
  let item: QAItem;
  if (kind === "mcq") {
    const src = readOptions(get, m, ctx);
    item = { id, source: ctx.source, kind, question, options: src.options, answer: resolveGold(src, rawAnswer, m), metadata };
  } else {
    if (typeof rawAnswer === "object") throw new RecordError(m.answer, "field.type", `"${m.answer}" is ${typeName(rawAnswer)}, expected the answer text: fix the record or the mapping`);
    const answer = String(rawAnswer);
    const label = answer.trim().toLowerCase();
    const isYesNo = (YESNO_LABELS as readonly string[]).includes(label);
    kind = kind ?? (isYesNo ? "yesno" : "open");
    item = { id, source: ctx.source, kind, question, answer: kind === "yesno" && isYesNo ? label : answer, metadata };
  }
  if (m.context !== undefined) {
    const context = listOrText(get(m.context), m.context);
    if (context !== undefined) item.context = context;
  }
  if (m.explanation !== undefined) {
    const explanation = asText(get(m.explanation), m.explanation);
    if (explanation !== undefined && explanation !== "") item.explanation = explanation;
  }
  const subject = m.subject !== undefined ? asText(get(m.subject), m.subject) : undefined;
  if (subject !== undefined && subject !== "") item.subject = subject;
  else if (ctx.subject !== undefined) item.subject = ctx.subject;
  return item;
}
