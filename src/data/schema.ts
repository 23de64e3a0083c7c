// The canonical record every dataset adapter produces (QAItem) and the quarantine record every rejection
// becomes. Validated with zod at the record level; semantic checks live in validate.ts.
import { z } from "zod";

/** The three item kinds: multiple choice, yes/no/maybe, open-ended. */
export const QA_KINDS = ["mcq", "yesno", "open"] as const;
export type QAKind = (typeof QA_KINDS)[number];

/** Labels allowed for yes/no/maybe items (PubMedQA convention). */
export const YESNO_LABELS = ["yes", "no", "maybe"] as const;

/** Option letters in order; MCQs use the first n (2..10). */
export const OPTION_LABELS = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"] as const;

/** One answer option of an MCQ. */
export const OptionSchema = z.object({ label: z.string().min(1), text: z.string() }).strict();
export type Option = z.infer<typeof OptionSchema>;

/** The canonical QA item. For mcq `answer` is the gold option's label; for yesno one of YESNO_LABELS; for open the answer text. */
export const QAItemSchema = z
  .object({
    id: z.string().min(1),
    source: z.string().min(1),
    kind: z.enum(QA_KINDS),
    question: z.string(),
    options: z.array(OptionSchema).optional(),
    answer: z.string(),
    context: z.array(z.string()).optional(),
    explanation: z.string().optional(),
    subject: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()),
    /** Original text of the fields the cleaner changed, keyed like the item (`question`, `options`, ...). */
    raw: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type QAItem = z.infer<typeof QAItemSchema>;

/** Pipeline stages, in order; a rejection names the stage that made it. */
export const STAGES = ["read", "clean", "validate", "deduplicate", "phi", "contamination", "split", "export"] as const;
export type Stage = (typeof STAGES)[number];

/** A rejected record as written to quarantine.jsonl: nothing is lost, every drop has a reason and a place. */
export interface QuarantineRecord {
  stage: Stage;
  /** Short machine-readable reason code, e.g. `mcq.duplicate-options`. */
  reason: string;
  /** Human sentence: what is wrong and what to do. */
  message: string;
  /** The field at fault (`options.C`, `answer_idx`, `(record)`). */
  field: string;
  file: string;
  /** 1-based line (JSONL/CSV) or record number (JSON/XML). */
  line: number;
  id?: string;
  /** The original record text (cut to 1 MiB for giant lines; `bytes` gives the full size). */
  raw: string;
  bytes?: number;
}
