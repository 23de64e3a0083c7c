// MedMCQA adapter (Pal et al. 2022): JSONL records with `question`, `opa`..`opd`, `cop`, `subject_name`,
// `topic_name`, `exp` (may be null), `choice_type`, `id`. The GitHub/JSON release numbers `cop` 1..4, the Hugging
// Face release 0..3 (and -1 for the unlabelled test split): a first pass over the file decides the base (see copBase).
import { LineReader } from "../../core/index.ts";
import type { QAItem } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonRecords } from "./json-records.ts";
import { requireFile } from "./source-files.ts";
import { goldByIndex, labelOptions } from "./mcq-options.ts";
import { DEFAULT_MAX_RECORD_BYTES, RecordError, asText, fileMetadata, makeId, optionalText, positionId, requireText } from "./record-fields.ts";

const NAME = "medmcqa";
const OPTION_FIELDS = ["opa", "opb", "opc", "opd"];

/** How the file numbers `cop`, and whether the evidence decided it. */
export interface CopBase {
  base: 0 | 1;
  /** False when the file has no 0 and no 4 (both numberings fit); the 1-based official release is assumed. */
  detected: boolean;
}

/**
 * Decides the `cop` numbering of a file from its values: a 0 only exists 0-based, a 4 only 1-based. With both
 * present the majority wins (the minority records then fall out of range and are reported, not guessed).
 */
export async function detectCopBase(path: string, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES): Promise<CopBase> {
  let zeros = 0;
  let fours = 0;
  const re = /"cop"\s*:\s*"?(-?\d+)/g;
  const lines = await LineReader.open(path, { maxLineBytes: maxRecordBytes, maxRawBytes: 0 });
  try {
    while (await lines.fill()) {
      while (lines.next()) {
        const text = lines.text();
        if (text === undefined) continue; // reported as an error record by the main pass
        for (const m of text.matchAll(re)) {
          if (m[1] === "0") zeros++;
          else if (m[1] === "4") fours++;
        }
      }
    }
  } finally {
    await lines.close();
  }
  if (zeros === 0 && fours === 0) return { base: 1, detected: false };
  return { base: zeros > fours ? 0 : 1, detected: true };
}

function mapMedmcqa(obj: Record<string, unknown>, file: string, line: number, opts: AdapterOptions, cop: CopBase): QAItem {
  const source = opts.sourceName ?? NAME;
  const question = requireText(obj, "question");
  const texts = OPTION_FIELDS.map((f) => {
    if (!(f in obj)) throw new RecordError(f, "field.missing", `the record has no "${f}": MedMCQA records need opa, opb, opc and opd`);
    return asText(obj[f], f) ?? "";
  });
  const src = labelOptions(texts, OPTION_FIELDS, "options");
  if (obj.cop === undefined || obj.cop === null) throw new RecordError("cop", "field.missing", `the record has no "cop" (correct option): add it or drop the record`);
  const copNum = typeof obj.cop === "string" && /^\s*-?\d+\s*$/.test(obj.cop) ? Number(obj.cop) : obj.cop;
  if (copNum === -1) throw new RecordError("cop", "answer.missing", `"cop" is -1, i.e. unlabelled (the MedMCQA test split has no public answers): use a labelled split`);
  const answer = goldByIndex(src, copNum, cop.base, "cop");
  const metadata: Record<string, unknown> = { ...fileMetadata(file), copBase: cop.base };
  if (!cop.detected) metadata.copBaseAssumed = true;
  const topic = optionalText(obj, "topic_name");
  if (topic !== undefined) metadata.topic = topic;
  const choiceType = optionalText(obj, "choice_type");
  if (choiceType !== undefined) metadata.choiceType = choiceType;
  const nativeId = optionalText(obj, "id") ?? positionId(file, line);
  const item: QAItem = { id: makeId(source, nativeId), source, kind: "mcq", question, options: src.options, answer, metadata };
  const exp = optionalText(obj, "exp");
  if (exp !== undefined) item.explanation = exp;
  const subject = optionalText(obj, "subject_name") ?? opts.subject;
  if (subject !== undefined) item.subject = subject;
  return item;
}

/** MedMCQA JSONL (opa..opd, cop 1-based or 0-based, detected per file). */
export const medmcqa: Adapter = {
  name: NAME,
  description: "MedMCQA JSONL: question, opa..opd, cop (1-based GitHub release or 0-based Hugging Face release, detected), subject_name, exp",
  reads: "file",
  async *read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    requireFile(path, NAME);
    const cop = await detectCopBase(path, opts.maxRecordBytes);
    yield* readJsonRecords(path, opts, NAME, (obj, file, line) => mapMedmcqa(obj, file, line, opts, cop));
  },
};
