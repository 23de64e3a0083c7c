// bench/data-prepare: records/s and peak RSS of the full `data prepare` pipeline, over the real sets in ../shared
// (MedQuAD + PubMedQA + MedMCQA + the MedQA slice) and over 1,000,000 generated records. Each case runs in a
// child process so its peak RSS is its own. Prints one JSON line per case. Targets: >= 20,000 records/s, <= 300 MB.
// Usage: node --import tsx bench/data-prepare.ts [--records N] [--case real|generated]
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Rng } from "../src/core/index.ts";
import { prepare } from "../src/recipes/prepare.ts";
import { PrepareConfigSchema } from "../src/recipes/prepare-config.ts";

const SHARED = resolve(import.meta.dirname, "../../shared/data");
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

const WORDS = ("patient presents with acute chest pain dyspnea fever cough hypertension diabetes mellitus renal failure hepatic " +
  "cirrhosis anemia thrombocytopenia sepsis pneumonia myocardial infarction stroke seizure headache abdominal nausea vomiting " +
  "diarrhea rash pruritus edema syncope palpitations tachycardia bradycardia hypotension history examination laboratory shows " +
  "elevated decreased serum sodium potassium creatinine glucose hemoglobin platelet count leukocytosis imaging reveals consolidation " +
  "effusion mass lesion biopsy demonstrates granulomas necrosis fibrosis treatment with therapy administered dose daily improvement " +
  "worsening following most likely diagnosis next best step management mechanism of action adverse effect contraindicated").split(" ");

async function generate(path: string, n: number, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const out = createWriteStream(path);
  const words = (k: number) => {
    const w: string[] = [];
    for (let i = 0; i < k; i++) w.push(WORDS[rng.int(WORDS.length)]);
    return w.join(" ");
  };
  let buf: string[] = [];
  let prevQ = "";
  for (let i = 0; i < n; i++) {
    const age = 18 + rng.int(70);
    // ~3% near-duplicates of the previous item (one word changed), as real scraped sets have.
    const q = i > 0 && rng.next() < 0.03 ? prevQ.replace(/\b\w+\?$/, "finding?") : `A ${age}-year-old ${rng.next() < 0.5 ? "man" : "woman"} ${words(30 + rng.int(40))}. Blood pressure is ${100 + rng.int(60)}/${60 + rng.int(30)} mm Hg. What is the ${words(3)}?`;
    prevQ = q;
    const options = { A: words(2 + rng.int(4)), B: words(2 + rng.int(4)), C: words(2 + rng.int(4)), D: words(2 + rng.int(4)) };
    if (new Set(Object.values(options)).size < 4) options.D += " syndrome";
    const rec = { id: `gen-${i}`, question: q, options, answer_idx: "ABCD"[rng.int(4)], meta_info: rng.next() < 0.5 ? "step1" : "step2&3" };
    buf.push(JSON.stringify(rec));
    if (buf.length === 2000) {
      if (!out.write(buf.join("\n") + "\n")) await new Promise<void>((r) => out.once("drain", () => r()));
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join("\n") + "\n");
  await new Promise<void>((r) => out.end(() => r()));
}

async function runCase(kind: string, records: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "medtune-bench-"));
  try {
    let sources: Array<{ format: string; path: string }>;
    const evalSets: Array<{ format: string; path: string }> = [];
    if (kind === "real") {
      sources = [
        { format: "medquad", path: join(SHARED, "medquad/medquad.jsonl") },
        { format: "pubmedqa", path: join(SHARED, "pubmedqa/ori_pqal.json") },
        { format: "medmcqa", path: join(SHARED, "medmcqa/dev_shared_half.jsonl") },
        { format: "medqa", path: join(SHARED, "medqa/medqa_us_4options_test_shared_slice.jsonl") },
      ];
      evalSets.push({ format: "mmlu", path: join(SHARED, "mmlu_medical/val") });
    } else {
      const path = join(dir, "generated.jsonl");
      await generate(path, records, 7);
      sources = [{ format: "medqa", path }];
    }
    const config = PrepareConfigSchema.parse({ name: `bench-${kind}`, out: join(dir, "out"), sources, eval: evalSets });
    const before = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { card } = await prepare(config, { quiet: true });
    const sec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSec = (cpu.user + cpu.system) / 1e6;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const r = card.reconciliation;
    console.log(JSON.stringify({
      bench: "data-prepare", case: kind, records: r.read, kept: r.kept, quarantined: r.quarantined, duplicates: r.duplicates, contaminated: r.contaminated,
      seconds: +sec.toFixed(2), recordsPerSec: Math.round(r.read / sec), cpuSeconds: +cpuSec.toFixed(2), recordsPerCpuSec: Math.round(r.read / cpuSec),
      loadAverage1m: +(os.loadavg()[0]).toFixed(2), cores: os.cpus().length, peakRssMB: Math.round(peakMb), rssBeforeMB: Math.round(before / 1048576),
      targetRecordsPerSec: 20000, targetPeakRssMB: 300, meetsTargets: r.read / sec >= 20000 && peakMb <= 300,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = arg("case");
if (only) {
  await runCase(only, Number(arg("records") ?? 1_000_000));
} else {
  const cases = existsSync(SHARED) ? ["real", "generated"] : ["generated"];
  if (!existsSync(SHARED)) console.error("bench/data-prepare: ../shared/data is absent: skipping the real-data case");
  for (const c of cases) {
    const r = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--case", c, "--records", arg("records") ?? "1000000"], { stdio: "inherit" });
    if (r.status !== 0) process.exitCode = 1;
  }
}
