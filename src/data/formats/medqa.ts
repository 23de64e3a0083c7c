// MedQA-USMLE adapter (Jin et al. 2021, github.com/jind11/MedQA): JSONL records with `question`, `options` {A..E}
// (4- and 5-option releases), `answer_idx`, `answer` text, `meta_info` (step1 | step2&3), optional `id` and
// `metamap_phrases`. meta_info is an exam step, not a subject, so it goes to metadata.metaInfo.
import { OPTION_LABELS, type QAItem } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonRecords } from "./json-records.ts";
import { goldByKey, goldByText, optionsFromValue } from "./mcq-options.ts";
import { RecordError, fileMetadata, makeId, optionalText, optionalTextList, positionId, requireText } from "./record-fields.ts";

const NAME = "medqa";

function mapMedqa(obj: Record<string, unknown>, file: string, line: number, opts: AdapterOptions): QAItem {
  const source = opts.sourceName ?? NAME;
  const question = requireText(obj, "question");
  const src = optionsFromValue(obj.options, "options");
  const answerIdx = optionalText(obj, "answer_idx");
  const answerText = optionalText(obj, "answer");
  let answer: string;
  if (answerIdx !== undefined) answer = goldByKey(src, answerIdx, "answer_idx");
  else if (answerText !== undefined) answer = goldByText(src, answerText, "answer");
  else throw new RecordError("answer_idx", "field.missing", `the record has neither "answer_idx" nor "answer": add the gold option's letter`);
  const metadata: Record<string, unknown> = { ...fileMetadata(file) };
  const metaInfo = optionalText(obj, "meta_info");
  if (metaInfo !== undefined) metadata.metaInfo = metaInfo;
  const phrases = optionalTextList(obj, "metamap_phrases");
  if (phrases !== undefined) metadata.metamapPhrases = phrases;
  if (answerIdx === undefined) metadata.answerFrom = "text";
  // Keep the stated answer text only when it disagrees with the gold option (a data-quality signal for review).
  const gold = src.options.find((o) => o.label === answer);
  if (answerIdx !== undefined && answerText !== undefined && gold && gold.text.trim() !== answerText.trim()) metadata.answerText = answerText;
  if (src.keys.some((k, i) => k !== OPTION_LABELS[i])) metadata.sourceOptionKeys = src.keys;
  const nativeId = optionalText(obj, "id") ?? positionId(file, line);
  const item: QAItem = { id: makeId(source, nativeId), source, kind: "mcq", question, options: src.options, answer, metadata };
  if (opts.subject !== undefined) item.subject = opts.subject;
  return item;
}

/** MedQA-USMLE JSONL (4- or 5-option). */
export const medqa: Adapter = {
  name: NAME,
  description: "MedQA-USMLE JSONL: question, options {A..E}, answer_idx, meta_info (4- and 5-option releases)",
  reads: "file",
  read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    return readJsonRecords(path, opts, NAME, (obj, file, line) => mapMedqa(obj, file, line, opts));
  },
};
