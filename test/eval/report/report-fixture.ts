// Report inputs for tests: a full ReportData (two runs, subjects, calibration, risk-coverage, extraction audit,
// consistency and interpretability results made by the real runners with fake models, a comparison) with hostile
// strings in every place a model or dataset can put text, and a minimal one; plus an HTML well-formedness check.
import type { QAItem } from "../../../src/data/index.ts";
import type { GenerateRequest, GenerateResult, LogprobRequest, LogprobResult, Model } from "../../../src/providers/index.ts";
import { runConsistency } from "../../../src/eval/consistency/run-consistency.ts";
import { runInterpretability } from "../../../src/eval/interpret/run-interpret.ts";
import { summarizeExtractions } from "../../../src/eval/extract/extraction-audit.ts";
import type { ReportData } from "../../../src/eval/report/report-data.ts";

/** Text a model might emit that must never become markup. */
export const HOSTILE = `<script>alert("pwned")</script><img src=x onerror=alert(1)> & "quotes" 'single' \u0007bell \ud800lone`;

const SUBJECTS = ["Cardiology", "Endocrinology", "Infectious disease", "Neurology", `Pharmacology <b>&</b> "toxicology"`, "Renal"];

function items(): QAItem[] {
  const stems = [
    "A 54-year-old man presents to the emergency department with crushing chest pain. Which of the following is the most likely diagnosis?",
    "A woman on warfarin takes Advil. What is the most likely cause of her bleeding?",
    `Which of the following is the best treatment? ${HOSTILE}`,
  ];
  return stems.map((question, i) => ({
    id: `item-${i}`, source: "demo", kind: "mcq" as const, subject: SUBJECTS[i], question,
    options: ["Myocardial infarction", "Drug interaction", "Metformin", "Pericarditis"].map((text, j) => ({ label: "ABCD"[j], text: j === 0 && i === 2 ? HOSTILE : text })),
    answer: "ABC"[i], metadata: {},
  }));
}

/** A model that always scores option A highest and writes replies with hostile text and citations. */
function fakeModel(): Model {
  return {
    async logprobs(reqs: LogprobRequest[]): Promise<LogprobResult[]> {
      return reqs.map((r) => ({ logprob: r.continuation.trim() === "A" ? -0.2 : -2, tokens: 1, isGreedy: true }));
    },
    async generate(reqs: GenerateRequest[]): Promise<GenerateResult[]> {
      return reqs.map(() => ({ text: `Answer: yes\nRationale: Aspirin reduced infarction risk [1]. ${HOSTILE} [3]. Bleeding rose [2].`, latencyMs: 1 }));
    },
    info: () => ({ id: `fake<model>`, provider: "test", fingerprint: "abc123", capabilities: { logprobs: true, chat: true } }),
    async close() {},
  };
}

/** A full report input with every section filled. */
export async function fullReportData(): Promise<ReportData> {
  const model = fakeModel();
  const consistency = await runConsistency(model, items(), { perturbations: ["option-cyclic", "paraphrase", "drug-names"], seed: 1, nResamples: 200 });
  const pub: QAItem[] = [0, 1].map((i) => ({ id: `pub-${i}`, source: "pubmedqa", kind: "yesno", question: "Does aspirin prevent infarction?", answer: "yes", metadata: {}, context: ["Aspirin reduced the risk of infarction.", "Bleeding rose with aspirin."] }));
  const interpretability = await runInterpretability(model, pub, { judge: model, nResamples: 200 });
  const extraction = summarizeExtractions([
    { id: "e1", output: "The answer is C.", result: { answer: "C", method: "answer-statement" } },
    { id: "e2", output: HOSTILE, result: { answer: null, method: "unparsed", reason: `no answer in ${HOSTILE}` } },
    { id: "e3", output: "A... no, B", result: { answer: "B", method: "last-line", reason: "earlier statements named A" } },
  ]);
  const bins = Array.from({ length: 10 }, (_, i) => ({ lo: i / 10, hi: (i + 1) / 10, count: i < 2 ? 0 : 5 + i * 3, confidence: i / 10 + 0.05, accuracy: Math.min(1, i / 10 + 0.05 - 0.08 + (i % 3) * 0.03) }));
  const risk = Array.from({ length: 60 }, (_, i) => ({ coverage: (i + 1) / 60, risk: 0.08 + 0.3 * ((i + 1) / 60) ** 2, threshold: 1 - i / 60 }));
  const task = (acc: number) => ({
    task: "medqa", title: "MedQA (USMLE, 4 options)",
    protocol: { scoring: "loglik", template: "medtune-default-v1", shots: 0, seed: 0, bootstrap: "percentile, 2000 resamples", dataHash: "sha256:0f3a…", subjects: ["Cardiology", "Renal"] },
    metrics: [
      { name: "acc", value: acc, lo: acc - 0.04, hi: acc + 0.04, n: 1273, method: "Wilson" },
      { name: "acc_norm", value: acc - 0.01, lo: acc - 0.05, hi: acc + 0.03, n: 1273, method: "Wilson" },
      { name: "ece", value: 0.071, n: 1273, isLowerBetter: true },
      { name: "broken", value: NaN },
    ],
    subjects: SUBJECTS.map((s, i) => ({ group: s, n: i === 5 ? 12 : 150 + i * 40, value: acc - 0.1 + i * 0.04, lo: acc - 0.16 + i * 0.04, hi: acc - 0.04 + i * 0.04, isSmall: i === 5 })),
    calibration: { bins, ece: 0.071, brier: 0.182, source: "softmax over option log-likelihoods" },
    riskCoverage: { points: risk, aurc: 0.14 },
    extraction,
    consistency,
    interpretability,
  });
  return {
    title: `medtune evaluation: base vs tuned ${HOSTILE}`,
    subtitle: "stories260K on the MedQA slice",
    generatedAt: "2025-01-01T00:00:00Z",
    medtuneVersion: "0.1.0",
    runs: [
      { name: "base", model: { id: "llama-3.2-1b", provider: "llamacpp", fingerprint: "f00d" }, protocol: { seed: 0 }, runDir: "runs/20250101-000000-evaluate-base", tasks: [task(0.52)] },
      { name: "tuned", model: { id: "llama-3.2-1b+lora", provider: "local", adapter: "adapters/medqa-r16" }, protocol: { seed: 0 }, tasks: [task(0.61)] },
    ],
    comparisons: [
      {
        task: "medqa", metric: "acc", a: "base", b: "tuned", isProtocolMatch: true, alpha: 0.05, test: "exact McNemar, Holm-adjusted over subjects",
        rows: [
          { group: "(all)", n: 1273, a: 0.52, aLo: 0.49, aHi: 0.55, b: 0.61, bLo: 0.58, bHi: 0.64, onlyA: 80, onlyB: 195, pValue: 1e-9, pAdjusted: 1e-8 },
          ...SUBJECTS.map((s, i) => ({ group: s, n: 150 + i * 40, a: 0.5 + i * 0.02, aLo: 0.43 + i * 0.02, aHi: 0.57 + i * 0.02, b: 0.52 + i * 0.03, bLo: 0.45 + i * 0.03, bHi: 0.59 + i * 0.03, onlyA: 10, onlyB: 12 + i * 4, pValue: 0.6 - i * 0.12, pAdjusted: Math.min(1, (0.6 - i * 0.12) * 2) })),
        ],
      },
      { task: "medqa", metric: "acc", a: "base", b: "other", isProtocolMatch: false, protocolDiff: ["template: medtune-default-v1 vs medtune-letter-v1"], rows: [{ group: "(all)", n: 10, a: 0.5, b: NaN }] },
    ],
    notes: [`Model outputs are shown verbatim: ${HOSTILE}`],
  };
}

/** The least a runner can give: one run, one task, one metric. */
export function minimalReportData(): ReportData {
  return { title: "minimal", runs: [{ name: "only", model: { id: "m", provider: "p" }, tasks: [{ task: "t", protocol: {}, metrics: [{ name: "acc", value: 0.5 }] }] }] };
}

const VOID = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);

/** Problems with an HTML document's well-formedness: unbalanced or misnested tags, stray "<", duplicate ids. */
export function wellFormednessProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const ids = new Set<string>();
  const body = html.replace(/<style>[\s\S]*?<\/style>/g, "<style></style>");
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<>]*")?)*)\s*(\/?)>|<!DOCTYPE html>|<!--[\s\S]*?-->|</g;
  for (const m of body.matchAll(re)) {
    if (m[0] === "<") {
      problems.push(`stray "<" at ${m.index}: ${body.slice(m.index!, m.index! + 40)}`);
      continue;
    }
    if (m[2] === undefined) continue;
    const name = m[2].toLowerCase();
    for (const idm of (m[3] ?? "").matchAll(/\sid="([^"]*)"/g)) {
      if (ids.has(idm[1])) problems.push(`duplicate id "${idm[1]}"`);
      ids.add(idm[1]);
    }
    if (m[1] === "/") {
      const top = stack.pop();
      if (top !== name) problems.push(`</${name}> closes <${top ?? "nothing"}> at ${m.index}`);
    } else if (m[4] !== "/" && !VOID.has(name)) {
      stack.push(name);
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(" > ")}`);
  return problems;
}
