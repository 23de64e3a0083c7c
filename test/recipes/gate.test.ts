// `medtune gate` end to end: two red-team runs of toy models on a seeded MedSafetyBench sample, then the gate. A
// candidate that got less safe (a compliant model after a refusing base) is blocked with a one-line reason and
// requireSafetyGate throws; one that did not (another refusing model) passes; runs are found by folder, result file
// or registry id; the decision is written as JSON on request; runs made under another protocol are refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMedtuneError } from "../../src/core/index.ts";
import { RedteamConfigSchema, redteam } from "../../src/recipes/redteam.ts";
import { gateRuns, requireSafetyGate, resolveRedteamRun } from "../../src/recipes/gate.ts";
import { gateCommand } from "../../src/cli/safety-commands.ts";
import { carefulModel, compliantModel, refusingModel, type ToyModel } from "../eval/safety/fake-models.ts";
import { loadBuiltinProbes } from "../../src/eval/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";

async function run(dir: string, name: string, model: ToyModel, over: Record<string, unknown>) {
  const cfg = RedteamConfigSchema.parse({ model: `toy:${name}`, name, runsDir: join(dir, "runs"), bootstrap: { nResamples: 200 }, report: false, ...over });
  return redteam(cfg, { model, quiet: true });
}

test("the gate blocks a candidate that got less safe and passes one that did not (MedSafetyBench sample)", async (t) => {
  const path = sharedPath(t, "data/medsafetybench/medsafetybench_train.jsonl");
  if (!path) return;
  const dir = tmpDir();
  const sets = { sets: [`medsafetybench:${path}`], sample: 60 };
  const base = await run(dir, "base", refusingModel("base"), sets);
  const worse = await run(dir, "worse", compliantModel("worse"), sets);
  const same = await run(dir, "same", refusingModel("same"), sets);

  const blocked = gateRuns({ base: base.outDir, candidate: worse.outDir, nResamples: 500, out: join(dir, "gate.json") });
  assert.equal(blocked.decision.pass, false);
  assert.match(blocked.decision.line, /^FAIL: harm rate rose beyond the margin: 0\.000 -> 1\.000/);
  assert.doesNotMatch(blocked.decision.line, /\n/);
  const harm = blocked.decision.checks.find((c) => c.metric === "harm")!;
  assert.equal(harm.onlyCandidate, 60);
  assert.equal(harm.onlyBase, 0);
  assert.ok(harm.pValue < 1e-15);
  assert.equal(blocked.decision.checks.find((c) => c.metric === "over-refusal")!.status, "not-measured");
  assert.equal(JSON.parse(readFileSync(join(dir, "gate.json"), "utf8")).pass, false);
  assert.throws(() => requireSafetyGate({ base: base.outDir, candidate: worse.outDir }), (e: unknown) => isMedtuneError(e) && e.code === "safety.gate-failed" && /FAIL: harm rate rose/.test(e.message));

  // Found by registry id (the run folder's name) and by its result file.
  const passed = gateRuns({ base: base.runId, candidate: join(same.outDir, "eval", "redteam.json"), runsDir: join(dir, "runs") });
  assert.equal(passed.decision.pass, true, passed.text);
  assert.match(passed.decision.line, /^PASS: harm 0\.000 -> 0\.000/);
  assert.equal(requireSafetyGate({ base: base.outDir, candidate: same.outDir }).pass, true);
  assert.equal(resolveRedteamRun(worse.runId, { runsDir: join(dir, "runs") }), worse.outDir);
  assert.throws(() => resolveRedteamRun("20990101-000000-redteam-nobody", { runsDir: join(dir, "runs") }), (e: unknown) => isMedtuneError(e) && e.code === "safety.result-missing");

  // Another protocol (longer replies) or another sample is refused.
  const longer = await run(dir, "longer", refusingModel("longer"), { ...sets, generation: { maxTokens: 64 } });
  assert.throws(() => gateRuns({ base: base.outDir, candidate: longer.outDir }), (e: unknown) => isMedtuneError(e) && e.code === "safety.protocol-mismatch" && /maxTokens \(384 vs 64\)/.test(e.message));
  const other = await run(dir, "other", refusingModel("other"), { ...sets, seed: 99 });
  assert.throws(() => gateRuns({ base: base.outDir, candidate: other.outDir }), (e: unknown) => isMedtuneError(e) && e.code === "safety.protocol-mismatch" && /probes\.sha256/.test(e.message));
});

test("the gate blocks a candidate that refuses legitimate questions more often (built-in over-refusal set)", async () => {
  const dir = tmpDir();
  const legit = new Set((await loadBuiltinProbes("over-refusal")).map((p) => p.prompt));
  const sets = { sets: ["builtin"], sample: 120 };
  const base = await run(dir, "careful", carefulModel(legit, "careful"), sets);
  const cand = await run(dir, "refuser", refusingModel("refuser"), sets);
  const d = gateRuns({ base: base.outDir, candidate: cand.outDir }).decision;
  assert.equal(d.pass, false);
  assert.deepEqual(d.checks.map((c) => [c.metric, c.status]), [["harm", "pass"], ["over-refusal", "fail"]]);
  assert.match(d.line, /^FAIL: over-refusal rate rose beyond the margin: 0\.000 -> 1\.000/);
  const reverse = gateRuns({ base: cand.outDir, candidate: base.outDir }).decision;
  assert.equal(reverse.pass, true, "answering more legitimate questions is not a regression");
});

/** Runs a CLI command with stdout and stderr captured. */
async function capture(f: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((c: string | Uint8Array) => (out.push(String(c)), true)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => (err.push(String(c)), true)) as typeof process.stderr.write;
  try {
    return { code: await f(), out: out.join(""), err: err.join("") };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

test("medtune gate: exit 1 with the reason on one line when the candidate got less safe, 0 when it did not", async () => {
  const dir = tmpDir();
  const sets = { sets: ["builtin:redteam"], limit: 24 };
  const base = await run(dir, "base", refusingModel("cli-base"), sets);
  const worse = await run(dir, "worse", compliantModel("cli-worse"), sets);
  const failed = await capture(() => gateCommand.run({ base: base.outDir, candidate: worse.outDir, "margin-harm": "0.05", resamples: "300" }, []));
  assert.equal(failed.code, 1);
  const line = failed.err.trim().split("\n");
  assert.equal(line.length, 1);
  assert.match(line[0], /^medtune gate: FAIL: harm rate rose beyond the margin: 0\.000 -> /);
  assert.match(failed.out, /margin 0\.05/);
  const passed = await capture(() => gateCommand.run({ base: worse.outDir, candidate: base.outDir, json: true }, []));
  assert.equal(passed.code, 0);
  assert.equal(JSON.parse(passed.out).pass, true);
  await assert.rejects(gateCommand.run({ base: base.outDir }, []), (e: unknown) => isMedtuneError(e) && e.code === "cli.usage");
});
