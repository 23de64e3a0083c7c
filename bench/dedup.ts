// Benchmark of the deduplicate stage: 1M generated medical-style items (~60 words, seeded) with ~5% planted
// near duplicates (one word substituted, inserted or deleted, plus case/punctuation noise), checked one by one.
// Prints one JSON line: items/s (check time only, wall and CPU), peak RSS, heap, typed-array bytes, clusters,
// planted recall. With --contamination, a second line for the contamination stage (5,000 eval items, 200,000
// training items, 2% planted copies). Usage: node --import tsx bench/dedup.ts [items=1000000] [--expected]
// [--uuid-ids] [--contamination]
import { Rng } from "../src/core/index.ts";
import { Deduplicator } from "../src/data/dedup.ts";
import { ContaminationIndex } from "../src/data/contamination.ts";

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const presize = process.argv.includes("--expected");
const uuidIds = process.argv.includes("--uuid-ids"); // random UUIDs (as MedMCQA) instead of sequential ids
const PLANT_RATE = 0.05;
const CHUNK = 10_000;

const SYMPTOMS = "fever cough dyspnea chest pain fatigue nausea vomiting diarrhea headache dizziness syncope palpitations rash pruritus jaundice hematuria dysuria polyuria weight loss night sweats arthralgia myalgia edema ascites hemoptysis wheezing confusion seizures tremor weakness numbness blurred vision hoarseness dysphagia melena hematochezia abdominal distension back pain".split(" ");
const ORGANS = "liver kidney heart lung spleen pancreas thyroid adrenal brain spinal cord colon stomach esophagus bladder prostate uterus ovary testis skin bone marrow lymph node gallbladder duodenum ileum retina cornea aorta".split(" ");
const DRUGS = "metformin lisinopril amlodipine atorvastatin warfarin heparin aspirin clopidogrel metoprolol furosemide spironolactone levothyroxine prednisone methotrexate insulin amoxicillin ceftriaxone vancomycin azithromycin doxycycline isoniazid rifampin fluconazole acyclovir omeprazole ondansetron haloperidol lithium sertraline digoxin amiodarone".split(" ");
const FINDINGS = "elevated decreased normal absent increased markedly mildly bilateral unilateral diffuse focal tender nontender palpable enlarged irregular regular hyperechoic hypoechoic".split(" ");
const LABS = "hemoglobin leukocyte platelet sodium potassium creatinine urea glucose bilirubin albumin troponin lactate ferritin calcium magnesium phosphate lipase amylase".split(" ");
const SEX = ["man", "woman", "boy", "girl"];
const QUESTIONS = [
  "Which of the following is the most likely diagnosis?",
  "Which of the following is the most appropriate next step in management?",
  "Which of the following is the most likely cause of these findings?",
  "Which of the following best explains this patient's condition?",
  "Which of the following is the mechanism of action of the most appropriate drug?",
];

function pick<T>(rng: Rng, a: readonly T[]): T {
  return a[rng.int(a.length)];
}

/** One synthetic vignette with options, ~55-70 words. */
function vignette(rng: Rng): string {
  const age = 2 + rng.int(88);
  const s: string[] = [];
  s.push(`A ${age}-year-old ${pick(rng, SEX)} presents with ${1 + rng.int(14)} days of ${pick(rng, SYMPTOMS)} and ${pick(rng, SYMPTOMS)}.`);
  s.push(`History is notable for ${pick(rng, SYMPTOMS)} treated with ${pick(rng, DRUGS)} ${5 + rng.int(95)} mg daily.`);
  s.push(`Examination shows a ${pick(rng, FINDINGS)} ${pick(rng, ORGANS)} and ${pick(rng, FINDINGS)} ${pick(rng, ORGANS)}.`);
  s.push(`Serum ${pick(rng, LABS)} is ${(rng.next() * 200).toFixed(1)} and ${pick(rng, LABS)} is ${(rng.next() * 50).toFixed(1)}.`);
  s.push(pick(rng, QUESTIONS));
  for (const l of ["A", "B", "C", "D"]) s.push(`${l}. ${pick(rng, FINDINGS)} ${pick(rng, ORGANS)} ${pick(rng, [...DRUGS, ...SYMPTOMS])}`);
  return s.join(" ");
}

/** A near copy: one word substituted, inserted or deleted, then case/punctuation noise. */
function nearCopy(rng: Rng, text: string): string {
  const words = text.split(" ");
  const at = 1 + rng.int(words.length - 2);
  const op = rng.int(3);
  if (op === 0) words[at] = pick(rng, DRUGS);
  else if (op === 1) words.splice(at, 0, pick(rng, FINDINGS));
  else words.splice(at, 1);
  let out = words.join(rng.int(2) === 0 ? " " : "  ");
  if (rng.int(2) === 0) out = out.toUpperCase();
  return out.replace(/\./g, rng.int(2) === 0 ? "." : " ;");
}

const rng = new Rng(20240501);
const dedup = new Deduplicator({ seed: 7, expectedItems: presize ? N : undefined });
const recent: string[] = []; // a window of earlier originals to copy from
let planted = 0;
let plantedFound = 0;
let checkMs = 0;
let checkCpuUs = 0; // process CPU time of the checks: stable when other processes share the cores
let peakRss = process.memoryUsage().rss;
const baseRss = peakRss;
let peakHeap = 0;
const chunkTexts: string[] = new Array(CHUNK);
const chunkPlanted = new Uint8Array(CHUNK);
for (let start = 0; start < N; start += CHUNK) {
  const m = Math.min(CHUNK, N - start);
  for (let i = 0; i < m; i++) {
    if (recent.length > 100 && rng.next() < PLANT_RATE) {
      chunkTexts[i] = nearCopy(rng, recent[rng.int(recent.length)]);
      chunkPlanted[i] = 1;
    } else {
      const t = vignette(rng);
      chunkTexts[i] = t;
      chunkPlanted[i] = 0;
      if (recent.length < 2000) recent.push(t);
      else recent[rng.int(2000)] = t;
    }
  }
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < m; i++) {
    const r = dedup.checkText(uuidIds ? crypto.randomUUID() : `synth-${String(start + i).padStart(7, "0")}`, chunkTexts[i]);
    if (chunkPlanted[i] === 1) {
      planted++;
      if (r.status !== "unique") plantedFound++;
    }
  }
  checkMs += performance.now() - t0;
  const c1 = process.cpuUsage(c0);
  checkCpuUs += c1.user + c1.system;
  const mu = process.memoryUsage();
  if (mu.rss > peakRss) peakRss = mu.rss;
  if (mu.heapUsed > peakHeap) peakHeap = mu.heapUsed;
}
const st = dedup.stats();
const t1 = performance.now();
const clusters = dedup.clusters();
const clustersMs = performance.now() - t1;
const MB = 1024 * 1024;
console.log(
  JSON.stringify({
    bench: "dedup",
    items: N,
    itemsPerSec: Math.round(N / (checkMs / 1000)),
    itemsPerCpuSec: Math.round(N / (checkCpuUs / 1e6)),
    peakRssMB: +(peakRss / MB).toFixed(1),
    baseRssMB: +(baseRss / MB).toFixed(1),
    peakHeapMB: +(peakHeap / MB).toFixed(1),
    typedArrayMB: +(st.memoryBytes / MB).toFixed(1),
    idMB: +(st.idBytes / MB).toFixed(1),
    unique: st.unique,
    exact: st.exact,
    near: st.near,
    clusters: clusters.length,
    clustersMs: Math.round(clustersMs),
    planted,
    plantedRecall: +(plantedFound / Math.max(1, planted)).toFixed(4),
    candidatesPerItem: +(st.candidates / N).toFixed(3),
    bands: st.bands,
    rows: st.rows,
    numPerm: st.numPerm,
    bBits: st.bBits,
    presized: presize,
    uuidIds,
  }),
);

// Contamination: eval vignettes indexed, then ~60-word training texts over a 6,000-word vocabulary checked;
// 1% carry a verbatim eval stem inside, 1% are an eval item with its sentences reversed.
const SYLLABLES = "ka lo mi ne ra tu po se vi da ge fo hu ji ly ze".split(" ");
const LEXICON: string[] = [];
for (const a of SYLLABLES) for (const b of SYLLABLES) for (const c of ["", "n", "s", "ta", "rin", "lol", "mab", "itis", "oma", "ase", "ide", "emia", "osis", "al", "ic", "ine", "ate", "ol", "um", "ia", "on", "ex", "or"]) LEXICON.push(a + b + c);

function randomText(rng: Rng, nWords: number): string {
  const w: string[] = [];
  for (let i = 0; i < nWords; i++) w.push(LEXICON[rng.int(LEXICON.length)]);
  return w.join(" ") + ".";
}

function benchContamination(): void {
  const nEval = 5000;
  const nTrain = Math.min(200_000, N);
  const crng = new Rng(99);
  const evalTexts: string[] = [];
  const index = new ContaminationIndex();
  for (let i = 0; i < nEval; i++) {
    evalTexts.push(vignette(crng));
    index.addText(`eval-${i}`, "bench-eval", evalTexts[i]);
  }
  let plantedVerbatim = 0;
  let foundVerbatim = 0;
  let plantedReordered = 0;
  let foundReordered = 0;
  let falseHits = 0;
  let contamCpuUs = 0;
  let contamMs = 0;
  for (let start = 0; start < nTrain; start += CHUNK) {
    const m = Math.min(CHUNK, nTrain - start);
    for (let i = 0; i < m; i++) {
      const u = crng.next();
      const e = evalTexts[crng.int(nEval)];
      if (u < 0.01) {
        chunkTexts[i] = `${randomText(crng, 10)} ${e.slice(0, e.indexOf("Which"))} ${randomText(crng, 5)}`;
        chunkPlanted[i] = 1;
      } else if (u < 0.02) {
        chunkTexts[i] = e.split(/(?<=[.?]) /).reverse().join(" ");
        chunkPlanted[i] = 2;
      } else {
        chunkTexts[i] = randomText(crng, 50 + crng.int(20));
        chunkPlanted[i] = 0;
      }
    }
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < m; i++) {
      const hit = index.checkText(chunkTexts[i]);
      if (chunkPlanted[i] === 1) {
        plantedVerbatim++;
        if (hit) foundVerbatim++;
      } else if (chunkPlanted[i] === 2) {
        plantedReordered++;
        if (hit) foundReordered++;
      } else if (hit) falseHits++;
    }
    contamMs += performance.now() - t0;
    const c1 = process.cpuUsage(c0);
    contamCpuUs += c1.user + c1.system;
  }
  const cst = index.stats();
  console.log(
    JSON.stringify({
      bench: "contamination",
      evalItems: nEval,
      lexicon: LEXICON.length,
      evalNgrams: cst.evalNgrams,
      items: nTrain,
      itemsPerSec: Math.round(nTrain / (contamMs / 1000)),
      itemsPerCpuSec: Math.round(nTrain / (contamCpuUs / 1e6)),
      flaggedNgram: cst.flaggedNgram,
      flaggedNear: cst.flaggedNear,
      verbatimRecall: +(foundVerbatim / Math.max(1, plantedVerbatim)).toFixed(4),
      reorderedRecall: +(foundReordered / Math.max(1, plantedReordered)).toFixed(4),
      falseHitRate: +(falseHits / Math.max(1, nTrain - plantedVerbatim - plantedReordered)).toFixed(5),
      evalFrequentNgrams: cst.evalFrequentNgrams,
      trainFrequentNgrams: cst.trainFrequentNgrams,
      peakRssMB: +(Math.max(peakRss, process.memoryUsage().rss) / MB).toFixed(1),
    }),
  );
}

if (process.argv.includes("--contamination")) benchContamination();
