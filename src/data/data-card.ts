// The data card: what went in, what came out and why, for one `data prepare` run (data-card.json + .md).
// Counts per stage and reason, distributions, lengths, PHI by type, contamination hits and content hashes; the
// reconciliation read = kept + quarantined + duplicates + contaminated is checked and written down.
import type { LengthSummary } from "./length-stats.ts";

/** Per-source counters that must reconcile. */
export interface SourceCounts {
  read: number;
  kept: number;
  quarantined: number;
  duplicates: number;
  contaminated: number;
}

/** A hashed input or output file. */
export interface HashedFile {
  path: string;
  sha256: string;
  bytes: number;
  format?: string;
  records?: number;
}

/** The data card as written to data-card.json. */
export interface DataCard {
  medtuneVersion: string;
  name: string;
  createdAt: string;
  seed: number;
  reconciliation: SourceCounts & { flagged: number; balanced: boolean };
  perSource: Record<string, SourceCounts>;
  stages: {
    read: { records: number; errors: number; byReason: Record<string, number> };
    clean: { itemsChanged: number; byField: Record<string, number> };
    validate: { rejected: number; byReason: Record<string, number> };
    deduplicate: { exact: number; near: number; clusters: number; threshold: number; enabled: boolean };
    phi: {
      enabled: boolean;
      /** Year birth years were measured against (saved, so a rerun scrubs alike). */
      referenceYear: number;
      itemsWithPhi: number;
      replacements: number;
      byType: Record<string, number>;
      /** Items the scrub made invalid (quarantined at stage phi), and why. */
      rejected: number;
      rejectedByReason: Record<string, number>;
    };
    contamination: {
      evalSets: Array<{ source: string; path: string; items: number }>;
      action: "drop" | "flag";
      hits: number;
      dropped: number;
      flagged: number;
      byKind: Record<string, number>;
      byEvalSource: Record<string, number>;
      examples: Array<{ id: string; evalId: string; kind: string; overlap: number; ngram?: string }>;
    };
    split: { counts: Record<string, number>; fractions: Record<string, number>; stratifyBy: string[] };
  };
  quarantineByReason: Record<string, number>;
  distributions: {
    kind: Record<string, number>;
    source: Record<string, number>;
    subject: Record<string, number>;
    label: Record<string, number>;
    perSplit: Record<string, { source: Record<string, number>; label: Record<string, number>; kind: Record<string, number> }>;
  };
  lengths: Record<string, LengthSummary>;
  promptTemplate: string;
  inputs: HashedFile[];
  outputs: HashedFile[];
}

/** Increments a counter in a record. */
export function bump(rec: Record<string, number>, key: string, by = 1): void {
  rec[key] = (rec[key] ?? 0) + by;
}

function sortedDesc(rec: Record<string, number>): Array<[string, number]> {
  return Object.entries(rec).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function table(rows: Array<[string, number | string]>, head: [string, string]): string {
  if (rows.length === 0) return "_none_\n";
  return `| ${head[0]} | ${head[1]} |\n|---|---:|\n` + rows.map(([k, v]) => `| ${k.replace(/\|/g, "\\|") || "(none)"} | ${v} |`).join("\n") + "\n";
}

/** Renders the data card as Markdown for people. */
export function renderDataCardMarkdown(card: DataCard): string {
  const r = card.reconciliation;
  const s = card.stages;
  const lines: string[] = [];
  lines.push(`# Data card: ${card.name}`, "");
  lines.push(`Prepared by medtune ${card.medtuneVersion} on ${card.createdAt}, seed ${card.seed}, prompt template \`${card.promptTemplate}\`.`, "");
  lines.push("## Reconciliation", "");
  lines.push(`read ${r.read} = kept ${r.kept} + quarantined ${r.quarantined} + duplicates ${r.duplicates} + contaminated ${r.contaminated} — ${r.balanced ? "balanced" : "**NOT BALANCED**"}` + (r.flagged ? ` (${r.flagged} kept items flagged as contaminated)` : ""), "");
  lines.push("| source | read | kept | quarantined | duplicates | contaminated |", "|---|---:|---:|---:|---:|---:|");
  for (const [src, c] of Object.entries(card.perSource)) lines.push(`| ${src} | ${c.read} | ${c.kept} | ${c.quarantined} | ${c.duplicates} | ${c.contaminated} |`);
  lines.push("", "## Stages", "");
  lines.push(`1. **read**: ${s.read.records} records, ${s.read.errors} unreadable`);
  lines.push(`2. **clean**: ${s.clean.itemsChanged} items changed (${sortedDesc(s.clean.byField).map(([k, v]) => `${k} ${v}`).join(", ") || "none"})`);
  lines.push(`3. **validate**: ${s.validate.rejected} rejected`);
  lines.push(`4. **deduplicate**: ${s.deduplicate.enabled ? `${s.deduplicate.exact} exact and ${s.deduplicate.near} near duplicates in ${s.deduplicate.clusters} clusters (Jaccard >= ${s.deduplicate.threshold})` : "disabled"}`);
  lines.push(`5. **PHI scrub**: ${s.phi.enabled ? `${s.phi.replacements} replacements in ${s.phi.itemsWithPhi} items (birth years against ${s.phi.referenceYear}), ${s.phi.rejected} items made invalid by the scrub (quarantined)` : "disabled"}`);
  lines.push(`6. **contamination**: ${s.contamination.hits} hits against ${s.contamination.evalSets.length} evaluation set(s), action ${s.contamination.action} (${s.contamination.dropped} dropped, ${s.contamination.flagged} flagged)`);
  lines.push(`7. **split**: ${Object.entries(s.split.counts).map(([k, v]) => `${k} ${v}`).join(", ")}, stratified by ${s.split.stratifyBy.join(", ")}`, "");
  lines.push("## Rejections by reason", "", table(sortedDesc(card.quarantineByReason), ["reason", "records"]));
  lines.push("## PHI replacements by type", "", table(sortedDesc(s.phi.byType), ["type", "replacements"]));
  if (s.contamination.evalSets.length) {
    lines.push("## Contamination", "", table(s.contamination.evalSets.map((e) => [`${e.source} (${e.path})`, e.items]), ["evaluation set", "items"]));
    lines.push(table(sortedDesc(s.contamination.byEvalSource), ["hits against", "items"]));
  }
  lines.push("## Distributions", "", "### Kind", "", table(sortedDesc(card.distributions.kind), ["kind", "items"]));
  lines.push("### Source", "", table(sortedDesc(card.distributions.source), ["source", "items"]));
  lines.push("### Answer label", "", table(sortedDesc(card.distributions.label), ["label", "items"]));
  const subj = sortedDesc(card.distributions.subject);
  lines.push("### Subject", "", table(subj.slice(0, 40), ["subject", "items"]) + (subj.length > 40 ? `\n(${subj.length - 40} more in data-card.json)\n` : ""));
  lines.push("## Lengths (words)", "", "| field | count | mean | min | p50 | p90 | p99 | max |", "|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const [k, v] of Object.entries(card.lengths)) lines.push(`| ${k} | ${v.count} | ${v.mean} | ${v.min} | ${v.p50} | ${v.p90} | ${v.p99} | ${v.max} |`);
  lines.push("", "## Files", "", "| file | role | records | bytes | sha256 |", "|---|---|---:|---:|---|");
  for (const f of card.inputs) lines.push(`| ${f.path} | input (${f.format ?? "?"}) | | ${f.bytes} | \`${f.sha256}\` |`);
  for (const f of card.outputs) lines.push(`| ${f.path} | output | ${f.records ?? ""} | ${f.bytes} | \`${f.sha256}\` |`);
  lines.push("");
  return lines.join("\n");
}
