// The `data prepare` configuration: sources, evaluation sets for decontamination, and every stage's knobs, with
// defaults. Validated strictly (unknown keys are rejected with their path).
import { z } from "zod";
import { PromptTemplateSchema } from "../data/index.ts";

/** Field mapping for generic JSONL/CSV sources (source field names, dotted paths allowed). */
export const FieldMappingSchema = z
  .object({
    id: z.string().optional(),
    question: z.string(),
    options: z.union([z.string(), z.array(z.string())]).optional(),
    answer: z.string(),
    answerFormat: z.enum(["label", "index0", "index1", "text"]).optional(),
    context: z.string().optional(),
    explanation: z.string().optional(),
    subject: z.string().optional(),
    kind: z.enum(["mcq", "yesno", "open"]).optional(),
  })
  .strict();

/** One dataset to read. */
export const SourceSchema = z
  .object({
    format: z.string().min(1), // adapter name: medqa, medmcqa, pubmedqa, medquad, mmlu, jsonl, csv, alpaca, chat, medtune
    path: z.string().min(1), // file or folder
    name: z.string().optional(), // source name in items and ids (default: the format)
    mapping: FieldMappingSchema.optional(), // generic jsonl/csv only
    header: z.boolean().optional(), // csv: first row is a header
    subject: z.string().optional(), // subject for records that have none
  })
  .strict();
export type SourceConfig = z.infer<typeof SourceSchema>;

/** The full `data prepare` config with defaults. */
export const PrepareConfigSchema = z
  .object({
    name: z.string().min(1).default("demo"), // run name, part of the run folder name
    medtuneVersion: z.string().optional(), // written into a run's saved config.json (informational), so that file can be run again as is
    seed: z.number().int().default(1234), // seeds the split (and anything random)
    out: z.string().optional(), // output folder; default runs/<stamp>-prepare-<name>
    runsDir: z.string().default("runs"), // where run folders go
    strict: z.boolean().default(false), // fail on the first rejected record instead of quarantining it
    maxRecordBytes: z.number().int().positive().default(1 << 20), // larger records are quarantined
    sources: z.array(SourceSchema).default([]), // empty: the built-in demo set
    eval: z.array(SourceSchema).default([]), // evaluation sets to decontaminate against
    clean: z.object({ enabled: z.boolean().default(true) }).strict().prefault({}),
    dedup: z
      .object({
        enabled: z.boolean().default(true), // exact duplicates are always checked when enabled
        near: z.boolean().default(true), // MinHash + LSH near duplicates
        threshold: z.number().gt(0).lte(1).default(0.8), // Jaccard similarity over word shingles
      })
      .strict()
      .prefault({}),
    phi: z
      .object({
        enabled: z.boolean().default(true), // replace HIPAA Safe Harbor identifiers with typed placeholders
        types: z.array(z.string()).optional(), // restrict to these identifier types (default: all)
        exclude: z.array(z.string()).optional(), // identifier types to leave alone
        urls: z.enum(["patient-context", "keep-reference", "all"]).optional(), // which URLs are identifiers (default patient-context)
        keepTollFree: z.boolean().optional(), // keep 800/888 help lines (organizations, not patients; default true)
        keepNonPersonalDates: z.boolean().optional(), // keep dates in sentences about no single person (default true)
        referenceYear: z.number().int().optional(), // year ages are measured against; resolved to the current year and saved
      })
      .strict()
      .prefault({}),
    contamination: z
      .object({
        action: z.enum(["drop", "flag"]).default("drop"), // drop hits, or keep them with metadata.contamination
        ngram: z.number().int().min(3).default(13), // n-gram length (GPT-3 decontamination used 13)
        minCoverage: z.number().min(0).max(1).default(0.1), // share of an eval item's n-grams needed to flag (0: any one, as GPT-3)
        maxEvalItems: z.number().int().min(1).default(2), // n-grams in more eval items than this are exam boilerplate, ignored
        maxTrainMatches: z.number().int().min(1).default(10), // n-grams matched by more training items than this are ignored (GPT-3)
        near: z.boolean().default(true), // also MinHash near duplicates of evaluation items
        threshold: z.number().gt(0).lte(1).default(0.8), // near-duplicate Jaccard threshold
      })
      .strict()
      .prefault({}),
    split: z
      .object({
        train: z.number().min(0).max(1).default(0.8),
        validation: z.number().min(0).max(1).default(0.1),
        test: z.number().min(0).max(1).default(0.1),
        stratifyBy: z.array(z.enum(["source", "subject", "label"])).default(["source", "subject", "label"]),
      })
      .strict()
      .prefault({})
      .refine((s) => Math.abs(s.train + s.validation + s.test - 1) < 1e-9, { message: "train + validation + test must sum to 1" }),
    export: z
      .object({
        template: z.union([z.string(), PromptTemplateSchema]).default("medtune-default-v1"), // built-in name, a JSON file, or inline
        withExplanation: z.boolean().default(true), // append the explanation to training completions
        formats: z.array(z.enum(["chat", "completion"])).default(["chat", "completion"]), // training-ready exports
      })
      .strict()
      .prefault({}),
  })
  .strict();
export type PrepareConfig = z.infer<typeof PrepareConfigSchema>;
