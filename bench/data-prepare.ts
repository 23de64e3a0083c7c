// bench/data-prepare: records/s and peak RSS of the full `data prepare` pipeline, over the real sets in ../shared
// (MedQuAD + PubMedQA + MedMCQA + the MedQA slice, decontaminated against MMLU val) and over 1,000,000 generated
// records. Each case runs the compiled package (dist/, built first) in a plain `node` child process, so its peak RSS
// is the pipeline's own (no tsx, no generator); the flags it runs with are in the JSON line. One JSON line per case.
// Targets: >= 20,000 records/s and <= 300 MB peak RSS.
// Usage: node --import tsx bench/data-prepare.ts [--records N] [--case real|generated] [--workers N] [--no-build]
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Rng } from "../src/core/index.ts";

const ROOT = resolve(import.meta.dirname, "..");
const SHARED = resolve(ROOT, "../shared/data");
const DIST_PREPARE = join(ROOT, "dist/src/recipes/prepare.js");
const TARGETS = { recordsPerSec: 20_000, peakRssMB: 300 };
// Node's defaults, as `medtune data prepare` runs (a 1 MB semi-space, once needed at 1M records, is no longer).
const NODE_FLAGS: string[] = [];

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

/** Writes n MedQA-style records (seeded) with ~3% near duplicates. */
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

// The measured child: plain node over dist/, timing prepare() alone (the config is validated before the clock starts).
const CHILD = `
import os from "node:os";
const spec = JSON.parse(process.env.MEDTUNE_BENCH_SPEC);
const { prepare } = await import(spec.prepareJs);
const { PrepareConfigSchema } = await import(spec.configJs);
const config = PrepareConfigSchema.parse(spec.config);
const rssBefore = process.memoryUsage().rss;
const load0 = os.loadavg()[0];
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const { card, threads } = await prepare(config, { quiet: true, workers: spec.workers });
const sec = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSec = (cpu.user + cpu.system) / 1e6;
const peakMb = process.resourceUsage().maxRSS / 1024;
const r = card.reconciliation;
const rps = r.read / sec;
console.log(JSON.stringify({
  bench: "data-prepare", case: spec.kind, records: r.read, kept: r.kept, quarantined: r.quarantined, duplicates: r.duplicates, contaminated: r.contaminated,
  seconds: +sec.toFixed(2), recordsPerSec: Math.round(rps), cpuSeconds: +cpuSec.toFixed(2), recordsPerCpuSec: Math.round(r.read / cpuSec),
  loadAverage1m: +os.loadavg()[0].toFixed(2), loadAverage1mBefore: +load0.toFixed(2), cores: os.availableParallelism(),
  workers: spec.workers ?? "default", threads, peakRssMB: Math.round(peakMb), rssBeforeMB: Math.round(rssBefore / 1048576),
  runtime: ["node", process.version, ...spec.nodeFlags, "dist/"].join(" "), targets: spec.targets,
  meetsTargets: rps >= spec.targets.recordsPerSec && peakMb <= spec.targets.peakRssMB,
}));
`;

function runCase(kind: string, config: Record<string, unknown>, workers: number | undefined): boolean {
  const spec = {
    kind, config, workers, targets: TARGETS, nodeFlags: NODE_FLAGS,
    prepareJs: DIST_PREPARE, configJs: join(ROOT, "dist/src/recipes/prepare-config.js"),
  };
  const r = spawnSync(process.execPath, [...NODE_FLAGS, "--input-type=module", "-e", CHILD], {
    stdio: "inherit", env: { ...process.env, MEDTUNE_BENCH_SPEC: JSON.stringify(spec) }, cwd: ROOT,
  });
  return r.status === 0;
}

if (!args.includes("--no-build") || !existsSync(DIST_PREPARE)) {
  // the package's own build; type errors elsewhere in the tree still emit JavaScript, so only a missing output stops us
  const b = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, encoding: "utf8" });
  if (b.status !== 0) console.error(`bench/data-prepare: the build reported errors (exit ${b.status}); measuring what it emitted`);
  if (!existsSync(DIST_PREPARE)) {
    console.error(`bench/data-prepare: ${DIST_PREPARE} is missing after the build:\n${b.stdout}${b.stderr}`);
    process.exit(1);
  }
}

const only = arg("case");
const records = Number(arg("records") ?? 1_000_000);
const workers = arg("workers") === undefined ? undefined : Number(arg("workers"));
const cases = only ? [only] : ["real", "generated"];
const dir = mkdtempSync(join(tmpdir(), "medtune-bench-"));
let ok = true;
try {
  for (const kind of cases) {
    if (kind === "real") {
      if (!existsSync(SHARED)) {
        console.error("bench/data-prepare: ../shared/data is absent: skipping the real-data case");
        continue;
      }
      const sources = [
        { format: "medquad", path: join(SHARED, "medquad/medquad.jsonl") },
        { format: "pubmedqa", path: join(SHARED, "pubmedqa/ori_pqal.json") },
        { format: "medmcqa", path: join(SHARED, "medmcqa/dev_shared_half.jsonl") },
        { format: "medqa", path: join(SHARED, "medqa/medqa_us_4options_test_shared_slice.jsonl") },
      ];
      const evalSets = [{ format: "mmlu", path: join(SHARED, "mmlu_medical/val") }];
      ok = runCase(kind, { name: "bench-real", out: join(dir, "out-real"), sources, eval: evalSets }, workers) && ok;
    } else if (kind === "generated") {
      const path = join(dir, "generated.jsonl");
      await generate(path, records, 7);
      ok = runCase(kind, { name: "bench-generated", out: join(dir, "out-generated"), sources: [{ format: "medqa", path }] }, workers) && ok;
      rmSync(path, { force: true });
    } else {
      console.error(`bench/data-prepare: unknown case "${kind}": use real or generated`);
      ok = false;
    }
    rmSync(join(dir, `out-${kind}`), { recursive: true, force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (!ok) process.exitCode = 1;
