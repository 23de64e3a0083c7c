// medtune's own canonical format: one QAItem per JSONL line (what `data prepare` exports and what the built-in
// demo set is written in), checked with QAItemSchema; a failure names the zod path of the first problem. Items keep
// their ids; `sourceName`, when given, replaces the source field.
import { QAItemSchema } from "../schema.ts";
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonRecords } from "./json-records.ts";
import { RecordError } from "./record-fields.ts";

const NAME = "medtune";

/** Canonical QAItem JSONL. */
export const medtune: Adapter = {
  name: NAME,
  description: "medtune canonical QAItem JSONL (the format data prepare exports)",
  reads: "file",
  read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    return readJsonRecords(path, opts, NAME, (obj) => {
      const parsed = QAItemSchema.safeParse(obj);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(record)";
        const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : "";
        throw new RecordError(field, "schema.invalid", `"${field}": ${issue.message}${more}: fix the record to match the QAItem schema`);
      }
      const item = parsed.data;
      if (opts.sourceName !== undefined) item.source = opts.sourceName;
      if (item.subject === undefined && opts.subject !== undefined) item.subject = opts.subject;
      return item;
    });
  },
};
