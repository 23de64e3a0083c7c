// Alpaca adapter (Taori et al. 2023, tatsu-lab/stanford_alpaca): records {instruction, input, output} as JSONL or
// as one JSON array file -> open items: question = instruction, context = [input] when input is not blank,
// answer = output. An `id` field, when present, is the native id.
import type { QAItem } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonRecords } from "./json-records.ts";
import { fileMetadata, makeId, optionalText, positionId, requireText } from "./record-fields.ts";

const NAME = "alpaca";

function mapAlpaca(obj: Record<string, unknown>, file: string, line: number, opts: AdapterOptions): QAItem {
  const source = opts.sourceName ?? NAME;
  const question = requireText(obj, "instruction");
  const answer = requireText(obj, "output");
  const input = optionalText(obj, "input");
  const nativeId = optionalText(obj, "id") ?? positionId(file, line);
  const item: QAItem = { id: makeId(source, nativeId), source, kind: "open", question, answer, metadata: fileMetadata(file) };
  if (input !== undefined && input.trim() !== "") item.context = [input];
  if (opts.subject !== undefined) item.subject = opts.subject;
  return item;
}

/** Alpaca instruction data (JSONL or JSON array). */
export const alpaca: Adapter = {
  name: NAME,
  description: "Alpaca instruction data {instruction, input, output} as JSONL or a JSON array file",
  reads: "file",
  read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    return readJsonRecords(path, opts, NAME, (obj, file, line) => mapAlpaca(obj, file, line, opts));
  },
};
