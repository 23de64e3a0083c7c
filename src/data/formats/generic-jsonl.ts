// Generic JSONL adapter: any JSON Lines (or JSON array) file whose fields a FieldMapping names, with dotted paths
// into nested objects (`meta.subject`, `choices.0`). See field-mapping.ts for options, answer formats and kinds.
import type { Adapter, AdapterOptions, SourceRecord } from "./types.ts";
import { readJsonRecords } from "./json-records.ts";
import { applyMapping, checkMapping } from "./field-mapping.ts";
import { getPath } from "./record-fields.ts";

const NAME = "generic-jsonl";

/** Any JSONL with a field mapping. */
export const genericJsonl: Adapter = {
  name: NAME,
  description: "any JSONL (or JSON array) file with a field mapping (dotted paths; options as array, object or list of fields)",
  reads: "file",
  async *read(path: string, opts: AdapterOptions): AsyncGenerator<SourceRecord> {
    const m = checkMapping(opts.mapping, NAME);
    const source = opts.sourceName ?? NAME;
    yield* readJsonRecords(path, opts, NAME, (obj, file, line) =>
      applyMapping((f) => getPath(obj, f), m, { file, line, source, subject: opts.subject, isCsv: false }),
    );
  },
};
