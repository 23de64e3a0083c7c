// `medtune redteam` end to end with toy models: on a seeded MedSafetyBench sample a compliant and a refusing model
// get opposite verdicts; results land in the run folder (config.json, eval/redteam.json, report.html with
// per-category tables), the store (run, metrics per category, items) and a rerun asks the model nothing. On the
// built-in sets a careful model neither harms nor over-refuses, transforms are reported per transform, a judge behind
// a real local OpenAI-compatible server is compared with the grader and with human labels, failed requests are
// counted, and bad settings fail before a model is used.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMedtuneError } from "../../src/core/index.ts";
import { loadBuiltinProbes, readRedteamResult } from "../../src/eval/index.ts";
import { Store } from "../../src/store/index.ts";
import { startServer } from "../../src/server/index.ts";
import { RedteamConfigSchema, redteam, redteamFromRaw } from "../../src/recipes/redteam.ts";
import { redteamCommand, redteamConfigFromFlags } from "../../src/cli/safety-commands.ts";
import { carefulModel, compliantModel, failingOn, fakeJudge, refusingModel } from "../eval/safety/fake-models.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";

const config = (dir: string, over: Record<string, unknown>) => RedteamConfigSchema.parse({ model: "toy:x", runsDir: join(dir, "runs"), bootstrap: { nResamples: 200 }, ...over });

test("MedSafetyBench: compliant and refusing toy models get opposite verdicts; run folder, store and report hold the results", async (t) => {
  const path = sharedPath(t, "data/medsafetybench/medsafetybench_train.jsonl");
  if (!path) return;
  const dir = tmpDir();
  const cfg = config(dir, { sets: [`medsafetybench:${path}`], sample: 45, transforms: ["role-play", "document-injection"] });
  const complies = compliantModel();
  const refuses = refusingModel();
  const a = await redteam({ ...cfg, name: "complies" }, { model: complies, quiet: true });
  const b = await redteam({ ...cfg, name: "refuses" }, { model: refuses, quiet: true });
  assert.equal(a.result.items.length, 135);
  assert.equal(complies.calls, 135);
  assert.ok(a.result.items.every((it) => it.verdict === "harmful-compliance"), "the compliant model is harmful on every probe");
  assert.ok(b.result.items.every((it) => it.verdict === "safe-refusal"), "the refusing model refuses every probe");
  assert.deepEqual(a.result.items.map((it) => it.id), b.result.items.map((it) => it.id), "the same seeded sample");
  assert.equal(a.result.metrics.overall.harm!.rate, 1);
  assert.equal(b.result.metrics.overall.harm!.rate, 0);
  assert.equal(b.result.metrics.overall.refusal!.rate, 1);
  assert.deepEqual(a.result.metrics.byTransform.map((g) => [g.group, g.nRedteam]), [["document-injection", 45], ["none", 45], ["role-play", 45]]);
  assert.deepEqual(b.result.metrics.robustness.map((r) => [r.transform, r.nPairs, r.flippedToHarm, r.robustness!.rate]), [["document-injection", 45, 0, 1], ["role-play", 45, 0, 1]]);
  const cats = a.result.metrics.byCategory.map((g) => g.group);
  assert.ok(cats.length >= 5 && cats.every((c) => /^ama-[1-9]$/.test(c)), cats.join(","));

  // The run folder.
  assert.match(a.outDir, /runs\/\d{8}-\d{6}-redteam-complies$/);
  const saved = JSON.parse(readFileSync(join(a.outDir, "config.json"), "utf8"));
  assert.deepEqual(saved.sets, [`medsafetybench:${path}`]);
  assert.equal(saved.modelInfo.id, "compliant");
  const file = readRedteamResult(a.outDir);
  assert.equal(file.items.length, 135);
  assert.equal(file.protocol.probes.sample, 45);
  assert.deepEqual(file.protocol.probes.sets, ["medsafetybench:medsafetybench_train.jsonl"]);
  assert.deepEqual(file.protocol.transforms, ["document-injection", "role-play"]);
  assert.equal(file.protocol.format, "chat");
  assert.equal(file.protocolKey, b.result.protocolKey, "same protocol for both models");
  const html = readFileSync(join(a.outDir, "report.html"), "utf8");
  assert.match(html, /<h2>By category<\/h2>/);
  for (const c of cats) assert.ok(html.includes(`<td>${c}</td>`), `category ${c} has a row in the report`);
  assert.match(html, /harm rate \[CI\]/);
  assert.match(html, /1\.000 \[1\.000, 1\.000\]/);
  assert.match(html, /<h2>By transform<\/h2>/);
  assert.match(html, /<svg[^>]*aria-label="Harm rate per category"/);
  assert.doesNotMatch(html, /<script/i);
  assert.match(a.text, /harm rate\s+1\.000/);

  // The store.
  const store = Store.open(join(dir, "runs", "medtune.db"));
  try {
    const run = store.getRun(a.runId)!;
    assert.equal(run.recipe, "redteam");
    assert.equal(run.status, "done");
    const metrics = store.getMetrics(a.runId, "redteam");
    assert.equal(metrics.find((m) => m.name === "harm" && m.group === "")!.value, 1);
    assert.equal(metrics.find((m) => m.name === "harm" && m.group === "")!.n, 135);
    for (const c of cats) assert.ok(metrics.some((m) => m.name === "harm" && m.group === `category:${c}`), c);
    assert.ok(!metrics.some((m) => m.name === "robustness"), "no probe was safe as plainly asked, so robustness is undefined");
    assert.equal(store.getMetrics(b.runId, "redteam").find((m) => m.name === "robustness" && m.group === "transform:role-play")!.value, 1);
    const rows = store.getEvalResults(b.runId, "redteam");
    assert.equal(rows.length, 135);
    assert.ok(rows.every((r) => r.prediction === "safe-refusal" && r.correct === true));
  } finally {
    store.close();
  }

  // A rerun is served from the cache.
  const again = compliantModel();
  const c = await redteam({ ...cfg, name: "complies-again" }, { model: again, quiet: true });
  assert.equal(again.calls, 0);
  assert.deepEqual(c.result.items.map((it) => it.verdict), a.result.items.map((it) => it.verdict));
});

test("built-in sets: a careful model neither harms nor over-refuses; a judge on a real local server is compared with the grader and human labels", async () => {
  const dir = tmpDir();
  const over = (await loadBuiltinProbes("over-refusal")).map((p) => p.prompt);
  const careful = carefulModel(new Set(over));
  const judgeModel = fakeJudge("judge-model");
  const server = await startServer({ model: judgeModel, maxConcurrent: 4 });
  try {
    const labels = join(dir, "labels.jsonl");
    const cfg = config(dir, { sets: ["builtin"], sample: 60, transforms: ["hypothetical"], judge: { model: `openai:${server.url}/v1#judge-model,retries=0` }, labels, name: "careful" });
    const probes = await loadBuiltinProbes("all");
    // Label the first three sampled red-team probes the way a reviewer would (safe) and one wrongly (harmful).
    const dry = await redteam({ ...cfg, judge: { maxTokens: 256 }, labels: undefined, name: "dry", report: false }, { model: carefulModel(new Set(over)), quiet: true });
    const red = dry.result.items.filter((it) => it.set === "redteam" && it.transform === "none").slice(0, 4);
    writeFileSync(labels, red.map((it, i) => JSON.stringify({ id: it.id, label: i === 3 ? "harmful" : "safe-refusal" })).join("\n") + "\n" + JSON.stringify({ id: "no-such-probe", label: "safe" }) + "\n");
    const r = await redteam(cfg, { model: careful, quiet: true });
    const m = r.result.metrics;
    assert.ok(m.overall.nRedteam > 0 && m.overall.nOverRefusal > 0, "the sample holds both sets");
    assert.equal(m.overall.harm!.rate, 0);
    assert.equal(m.overall.overRefusal!.rate, 0);
    assert.ok(m.byCategory.some((g) => g.nOverRefusal > 0 && g.overRefusal !== null));
    assert.ok(m.bySeverity.every((g) => ["low", "medium", "high", "critical"].includes(g.group)));
    assert.deepEqual(m.byTransform.map((g) => g.group), ["hypothetical", "none"]);
    assert.ok(r.result.items.filter((it) => it.transform === "hypothetical").every((it) => it.set === "redteam" && probes.some((p) => p.id === it.baseId)));
    // The judge.
    const j = r.result.judge!;
    assert.equal(j.nJudged, m.overall.nRedteam);
    assert.equal(j.nUnparsed + j.nErrors, 0);
    assert.equal(j.agreement.n, m.overall.nRedteam);
    assert.equal(j.agreement.binary.agreement, 1, "the judge agrees with the grader on every item");
    assert.equal(j.rubric, "medtune-safety-judge-v1");
    // Identical judge prompts (the same request, plain or reframed, and the same reply) are asked once.
    assert.equal(judgeModel.calls, new Set(r.result.items.filter((it) => it.set === "redteam").map((it) => it.baseId)).size);
    assert.ok(r.result.items.filter((it) => it.set === "redteam").every((it) => it.judge?.score === 1));
    assert.equal(m.overall.judgeHarm!.rate, 0);
    // The human labels.
    const h = r.result.human!;
    assert.equal(h.nLabels, 5);
    assert.equal(h.nMatched, 4);
    assert.deepEqual(h.unknownIds, ["no-such-probe"]);
    assert.equal(h.deterministic.n, 4);
    assert.equal(h.deterministic.binary.agreement, 0.75);
    assert.equal(h.judge!.n, 4);
    const html = readFileSync(join(r.outDir, "report.html"), "utf8");
    assert.match(html, /<h2>Judge agreement<\/h2>/);
    assert.match(html, /<h2>Human labels<\/h2>/);
    assert.match(html, /over-refusal \[CI\]/);
    // A rerun asks the judge nothing either.
    const before = judgeModel.calls;
    await redteam({ ...cfg, name: "careful-again" }, { model: carefulModel(new Set(over)), quiet: true });
    assert.equal(judgeModel.calls, before);
  } finally {
    await server.close();
  }
});

test("the refusing model over-refuses the built-in over-refusal set; failed requests are counted and left out", async () => {
  const dir = tmpDir();
  const model = failingOn(refusingModel(), (text) => /naloxone/i.test(text));
  const r = await redteam(config(dir, { sets: ["builtin:over-refusal"] }), { model, quiet: true });
  const m = r.result.metrics;
  assert.ok(m.nErrors >= 1);
  assert.equal(m.overall.overRefusal!.rate, 1);
  assert.equal(m.overall.overRefusal!.n, m.nItems - m.nErrors);
  assert.equal(m.overall.harm, null, "no red-team probes");
  const failed = r.result.items.filter((it) => it.verdict === null);
  assert.ok(failed.every((it) => it.error === "simulated provider failure" && /naloxone/i.test(it.prompt)));
  assert.match(readFileSync(join(r.outDir, "report.html"), "utf8"), /<h2>Failed requests<\/h2>/);
  await assert.rejects(
    redteam(config(dir, { sets: ["builtin:over-refusal"], name: "all-fail", limit: 5 }), { model: failingOn(refusingModel("always-fails"), () => true), quiet: true }),
    (e: unknown) => isMedtuneError(e) && e.code === "safety.all-failed",
  );
  const store = Store.open(join(dir, "runs", "medtune.db"));
  assert.equal(store.listRuns({ recipe: "redteam" }).find((x) => x.name === "all-fail")!.status, "failed");
  store.close();
});

test("bad settings fail with one clear line before any model is asked", async () => {
  const dir = tmpDir();
  const model = compliantModel();
  const fails = async (raw: Record<string, unknown>, code: string, re: RegExp) => {
    await assert.rejects(redteamFromRaw({ model: "toy:x", runsDir: join(dir, "runs"), ...raw }, "test", { model, quiet: true }), (e: unknown) => isMedtuneError(e) && e.code === code && re.test(e.oneLine()));
  };
  await fails({ limit: 5, sample: 5 }, "safety.bad-option", /either limit or sample/);
  await fails({ transforms: ["rot13"] }, "safety.unknown-transform", /unknown transform "rot13"/);
  await fails({ sets: ["jsonl:/no/such/file.jsonl"] }, "safety.no-probes", /not found: \/no\/such\/file\.jsonl/);
  await fails({ sets: ["csv:x"] }, "safety.bad-set", /unknown kind "csv"/);
  await fails({ generation: { format: "completion", template: "no placeholder" } }, "safety.bad-option", /\{prompt\}/);
  await fails({ colour: "red" }, "config.unknown-key", /colour/);
  assert.equal(model.calls, 0);
  assert.equal(existsSync(join(dir, "runs")), false, "no run folder or registry was made");
});

test("medtune redteam from the command line, against a model served over real OpenAI-compatible HTTP", async () => {
  const dir = tmpDir();
  const served = compliantModel("served-toy");
  const server = await startServer({ model: served, maxConcurrent: 4 });
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  try {
    const flags = {
      model: `openai:${server.url}/v1#served-toy,retries=0`, set: ["builtin:redteam"], limit: "6", transforms: ["role-play,hypothetical"],
      out: join(dir, "run"), store: join(dir, "medtune.db"), override: ["bootstrap.nResamples=100"], quiet: true,
    };
    process.stdout.write = ((c: string | Uint8Array) => (out.push(String(c)), true)) as typeof process.stdout.write;
    const code = await redteamCommand.run(flags, []);
    process.stdout.write = write;
    assert.equal(code, 0);
    assert.match(out.join(""), /harm rate\s+\d\.\d{3}/);
    const r = readRedteamResult(join(dir, "run"));
    assert.equal(r.items.length, 18);
    assert.equal(r.model.provider, "openai");
    assert.deepEqual(r.protocol.transforms, ["hypothetical", "role-play"]);
    assert.equal(served.calls, 18);
    assert.ok(existsSync(join(dir, "run", "report.html")));
  } finally {
    process.stdout.write = write;
    await server.close();
  }
  const { raw } = redteamConfigFromFlags({ model: "m", transforms: ["all"], judge: "openai:http://x/v1#j", format: "completion", "max-tokens": "64", sample: "10" });
  assert.deepEqual(raw, { model: "m", transforms: ["role-play", "hypothetical", "document-injection"], judge: { model: "openai:http://x/v1#j" }, sample: 10, generation: { maxTokens: 64, format: "completion" } });
  assert.throws(() => redteamConfigFromFlags({}), (e: unknown) => isMedtuneError(e) && e.code === "cli.usage");
  assert.throws(() => redteamConfigFromFlags({ model: "m", format: "xml" }), /--format expects/);
});
