// MedQuAD adapter (Ben Abacha & Demner-Fushman 2019, github.com/abachaa/MedQuAD): the repository's XML documents
// (<Document id source url> or <DiseaseFile fid ...>: Focus, FocusAnnotations, QAPairs/QAPair/Question[qid,qtype]
// + Answer) as repo root, one source folder or one file, and the JSONL conversion. subject = qtype (16 stable types,
// good for breakdowns; the per-document focus stays in metadata). Empty answers (removed upstream for MedlinePlus)
// stay items with an empty answer, so validation reports them with a reason.
import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { MedtuneError } from "../../core/index.ts";
import type { QAItem } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonRecords } from "./json-records.ts";
import { listFiles } from "./source-files.ts";
import { DEFAULT_MAX_RECORD_BYTES, MAX_RAW_BYTES, RecordError, asText, isObject, makeId, mapRecords, optionalText, positionId, requireText, type RawRecord } from "./record-fields.ts";

const NAME = "medquad";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => name === "QAPair" || name === "CUI" || name === "Synonym" || name === "SemanticType",
});

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

/** Text content of a parsed element (attributes ignored, nested text joined), ends trimmed. */
function xmlText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v).trim();
  if (Array.isArray(v)) return v.map((x) => xmlText(x) ?? "").join(" ").trim();
  if (isObject(v)) {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) if (!k.startsWith("@_")) parts.push(xmlText(x) ?? "");
    return parts.filter((p) => p !== "").join(" ").trim();
  }
  return undefined;
}

function attr(v: unknown, name: string): string | undefined {
  return isObject(v) ? asText(v[`@_${name}`], `@${name}`) : undefined;
}

/** The number of a MedQuAD source folder (`1_CancerGov_QA` -> "1"), used to make qids unique across folders. */
function folderNumber(folder: string): string | undefined {
  return /^(\d+)_/.exec(folder)?.[1];
}

interface XmlPair {
  pair: unknown;
  doc: { id?: string; source?: string; url?: string; focus?: string; category?: string; cuis?: string[]; collection: string };
  nativeId?: string;
}

/** One XML document's QA pairs as raw records (record number = 1-based QAPair index); a broken file is one error record. */
async function* xmlRecords(file: string, maxBytes: number): AsyncGenerator<RawRecord<XmlPair>> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new MedtuneError("data.unreadable", `${NAME}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { where: file, hint: "check the file's permissions" });
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    yield { file, line: 1, raw: lenientUtf8.decode(bytes.subarray(0, MAX_RAW_BYTES)), bytes: bytes.length, error: { field: "(document)", reason: "utf8.invalid", message: `${basename(file)} holds bytes that are not valid UTF-8: re-encode it as UTF-8` } };
    return;
  }
  if (text.trim() === "") return;
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    yield { file, line: 1, raw: text.slice(0, MAX_RAW_BYTES), bytes: bytes.length, error: { field: "(document)", reason: "xml.parse", message: `${basename(file)} is not well-formed XML at line ${valid.err.line}, column ${valid.err.col} (${valid.err.msg}): fix or re-download the file` } };
    return;
  }
  const parsed = parser.parse(text) as Record<string, unknown>;
  const rootName = Object.keys(parsed).find((k) => !k.startsWith("?") && !k.startsWith("#"));
  const root = rootName === undefined ? undefined : parsed[rootName];
  if (!isObject(root)) return;
  const ann = isObject(root.FocusAnnotations) ? root.FocusAnnotations : undefined;
  const umls = isObject(ann?.UMLS) ? ann.UMLS : isObject(root.UMLS) ? root.UMLS : undefined;
  const cuiNode = isObject(umls?.CUIs) ? umls.CUIs.CUI : umls?.CUI;
  const cuis = (Array.isArray(cuiNode) ? cuiNode : cuiNode === undefined ? [] : [cuiNode]).map((c) => xmlText(c) ?? "").filter((c) => c !== "");
  const collection = basename(dirname(file));
  const doc: XmlPair["doc"] = {
    id: attr(root, "id") ?? attr(root, "fid"),
    source: attr(root, "source"),
    url: attr(root, "url"),
    focus: xmlText(root.Focus),
    category: xmlText(ann?.Category) || undefined,
    cuis: cuis.length > 0 ? cuis : undefined,
    collection,
  };
  const qaPairs = isObject(root.QAPairs) && Array.isArray(root.QAPairs.QAPair) ? root.QAPairs.QAPair : [];
  const rawPairs = text.match(/<QAPair\b[\s\S]*?<\/QAPair>/g) ?? [];
  const seen = new Map<string, number>();
  const num = folderNumber(collection);
  for (let i = 0; i < qaPairs.length; i++) {
    const pair = qaPairs[i];
    const raw = rawPairs.length === qaPairs.length ? rawPairs[i] : JSON.stringify(pair);
    const size = Buffer.byteLength(raw);
    const base = { file, line: i + 1, raw: size > MAX_RAW_BYTES ? raw.slice(0, MAX_RAW_BYTES) : raw, bytes: size };
    if (size > maxBytes) {
      yield { ...base, error: { field: "(record)", reason: "record.too-large", message: `QA pair ${i + 1} of ${basename(file)} is ${size} bytes, over the ${maxBytes}-byte record limit: shorten it or raise maxRecordBytes` } };
      continue;
    }
    // Repeated qids inside one document (8 in CancerGov) get -2, -3... as in the published JSONL conversion.
    const qid = attr(isObject(pair) ? pair.Question : undefined, "qid");
    let nativeId: string | undefined;
    if (qid !== undefined) {
      const k = (seen.get(qid) ?? 0) + 1;
      seen.set(qid, k);
      nativeId = `${num !== undefined ? `${num}-` : ""}${qid}${k > 1 ? `-${k}` : ""}`;
    }
    yield { ...base, value: { pair, doc, nativeId } };
  }
}

function mapXmlPair(v: XmlPair, file: string, line: number, opts: AdapterOptions): QAItem {
  const source = opts.sourceName ?? NAME;
  const pair = isObject(v.pair) ? v.pair : {};
  const question = xmlText(pair.Question);
  if (question === undefined) throw new RecordError("Question", "field.missing", `QA pair ${line} of ${basename(file)} has no <Question>: fix the document`);
  const qtype = attr(pair.Question, "qtype");
  const metadata: Record<string, unknown> = { file: basename(file), collection: v.doc.collection };
  const qid = attr(pair.Question, "qid");
  if (qid !== undefined) metadata.qid = qid;
  if (qtype !== undefined) metadata.qtype = qtype;
  if (v.doc.focus !== undefined) metadata.focus = v.doc.focus;
  if (v.doc.id !== undefined) metadata.documentId = v.doc.id;
  if (v.doc.source !== undefined) metadata.documentSource = v.doc.source;
  if (v.doc.url !== undefined) metadata.url = v.doc.url;
  if (v.doc.category !== undefined) metadata.focusCategory = v.doc.category;
  if (v.doc.cuis !== undefined) metadata.cuis = v.doc.cuis;
  const item: QAItem = { id: makeId(source, v.nativeId ?? positionId(file, line)), source, kind: "open", question, answer: restoreBullets(xmlText(pair.Answer) ?? ""), metadata };
  const subject = opts.subject ?? qtype;
  if (subject !== undefined) item.subject = subject;
  return item;
}

// JSONL fields kept in metadata, under these names.
const JSONL_METADATA: [string, string][] = [["source", "collection"], ["qid", "qid"], ["qtype", "qtype"], ["focus", "focus"], ["document_id", "documentId"], ["document_source", "documentSource"], ["url", "url"]];

function mapJsonl(obj: Record<string, unknown>, file: string, line: number, opts: AdapterOptions): QAItem {
  const source = opts.sourceName ?? NAME;
  const question = requireText(obj, "question");
  if (!("answer" in obj)) throw new RecordError("answer", "field.missing", `the record has no "answer": add it (an empty string is allowed and reported by validation)`);
  const answer = restoreBullets(optionalText(obj, "answer") ?? "");
  const metadata: Record<string, unknown> = { file: basename(file) };
  for (let i = 0; i < JSONL_METADATA.length; i++) {
    const [from, to] = JSONL_METADATA[i];
    const v = optionalText(obj, from);
    if (v !== undefined) metadata[to] = v;
  }
  const nativeId = optionalText(obj, "id") ?? optionalText(obj, "qid") ?? positionId(file, line);
  const item: QAItem = { id: makeId(source, nativeId), source, kind: "open", question, answer, metadata };
  const subject = opts.subject ?? optionalText(obj, "qtype");
  if (subject !== undefined) item.subject = subject;
  return item;
}

/** MedQuAD: XML repository (root, source folder or file) or its JSONL conversion. */
export const medquad: Adapter = {
  name: NAME,
  description: "MedQuAD: the repository's XML documents (root folder, one source folder or one file) or its JSONL conversion",
  reads: "file-or-folder",
  async *read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    const files = listFiles(path, [".xml", ".jsonl", ".json"], NAME);
    const xml = files.filter((f) => f.toLowerCase().endsWith(".xml"));
    const maxBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    if (xml.length > 0) {
      // A folder holding both forms is read as XML only, so the same pairs are not read twice.
      for (const file of xml) yield* mapRecords(xmlRecords(file, maxBytes), (v, f, line) => mapXmlPair(v, f, line, opts));
      return;
    }
    for (const file of files) yield* readJsonRecords(file, opts, NAME, (obj, f, line) => mapJsonl(obj, f, line, opts));
  },
};

/**
 * MedQuAD answers run list items together on one line, separated by a run of spaces ("...cells).    - Leukemia...");
 * the bullets become lines again, so cleaning does not flatten them into prose. Exactly
 * `answer.includes("  - ") ? answer.replace(/[ \t]{2,}- /g, "\n- ") : answer`, in one pass over the hyphens.
 */
export function restoreBullets(answer: string): string {
  let out = "";
  let last = 0; // end of the previous bullet: the blanks before the next one start no earlier
  let spaced = false; // whether "  - " occurs: nothing changes otherwise
  for (let h = answer.indexOf("- "); h >= 0; h = answer.indexOf("- ", h + 2)) {
    if (!spaced && h >= 2 && answer.charCodeAt(h - 1) === 0x20 && answer.charCodeAt(h - 2) === 0x20) spaced = true;
    let start = h;
    while (start > last && (answer.charCodeAt(start - 1) === 0x20 || answer.charCodeAt(start - 1) === 0x09)) start--;
    if (h - start < 2) continue;
    out += answer.slice(last, start) + "\n- ";
    last = h + 2;
  }
  return spaced && last > 0 ? out + answer.slice(last) : answer;
}
