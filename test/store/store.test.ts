// The SQLite registry: schema migrations and version refusal, WAL mode, runs, metrics and eval results
// round trips, replacement per task, cascading deletes, and the request cache behind providers' withCache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import { isMedtuneError } from "../../src/core/index.ts";
import { Store, SCHEMA_VERSION, MIGRATIONS, defaultStorePath, type RunRecord } from "../../src/store/index.ts";
import { withCache, type Model, type LogprobRequest } from "../../src/providers/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

function run(id: string, extra: Partial<RunRecord> = {}): RunRecord {
  return { id, recipe: "eval", name: "demo", folder: `/tmp/runs/${id}`, config: { model: "m", seed: 1 }, created: "2024-01-02T03:04:05.000Z", status: "running", ...extra };
}

test("a new registry is migrated to the current schema, in WAL mode, and reopens without re-migrating", () => {
  const dir = tmpDir();
  const path = join(dir, "sub", "medtune.db");
  const s = Store.open(path);
  s.putRun(run("r1"));
  s.close();
  const db = new Database(path);
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  const versions = db.prepare("SELECT version FROM schema_version ORDER BY version").pluck().all();
  assert.deepEqual(versions, MIGRATIONS.map((m) => m.version));
  db.close();
  const again = Store.open(path);
  assert.equal(again.getRun("r1")?.name, "demo");
  again.close();
  assert.equal(defaultStorePath("runs"), join("runs", "medtune.db"));
});

test("a database written by a newer medtune is refused with a clear error", () => {
  const path = join(tmpDir(), "new.db");
  Store.open(path).close();
  const db = new Database(path);
  db.prepare("INSERT INTO schema_version (version, description, applied) VALUES (?, 'future', 'now')").run(SCHEMA_VERSION + 1);
  db.close();
  assert.throws(() => Store.open(path), (e: unknown) => isMedtuneError(e) && e.code === "store.newer-schema" && /newer/.test(e.message));
});

test("a file that is not SQLite is refused with a one-line error naming it", async () => {
  const { writeFileSync } = await import("node:fs");
  const path = join(tmpDir(), "junk.db");
  writeFileSync(path, "this is not a database, just text that is long enough to fill a header page.".repeat(20));
  assert.throws(() => Store.open(path), (e: unknown) => isMedtuneError(e) && e.where === path);
});

test("runs: insert, update, status, list by recipe (newest first), find by folder, delete cascades", () => {
  const s = Store.open(":memory:");
  s.putRun(run("a", { created: "2024-01-01T00:00:00.000Z" }));
  s.putRun(run("b", { created: "2024-01-03T00:00:00.000Z", recipe: "select" }));
  s.putRun(run("c", { created: "2024-01-02T00:00:00.000Z" }));
  assert.deepEqual(s.listRuns().map((r) => r.id), ["b", "c", "a"]);
  assert.deepEqual(s.listRuns({ recipe: "eval" }).map((r) => r.id), ["c", "a"]);
  assert.deepEqual(s.listRuns({ limit: 1 }).map((r) => r.id), ["b"]);
  assert.equal(s.setRunStatus("a", "done"), true);
  assert.equal(s.setRunStatus("zzz", "done"), false);
  assert.equal(s.getRun("a")?.status, "done");
  assert.deepEqual(s.listRuns({ status: "done" }).map((r) => r.id), ["a"]);
  assert.deepEqual(s.getRun("a")?.config, { model: "m", seed: 1 });
  s.putRun(run("a", { name: "renamed", status: "failed" }));
  assert.equal(s.getRun("a")?.name, "renamed");
  assert.equal(s.findRunByFolder("/tmp/runs/c")?.id, "c");
  assert.throws(() => s.putRun(run("x", { status: "bogus" as never })), /unknown run status/);
  s.putMetrics("a", "t", [{ task: "t", name: "acc", group: "", value: 0.5, ciLow: 0.4, ciHigh: 0.6, n: 10 }]);
  s.putEvalResults("a", "t", [{ task: "t", item: "i1", prediction: "A", correct: true, scores: {} }]);
  assert.equal(s.deleteRun("a"), true);
  assert.deepEqual(s.getMetrics("a"), []);
  assert.deepEqual(s.getEvalResults("a", "t"), []);
  s.close();
});

test("metrics and eval results round-trip and are replaced per (run, task); NaN becomes null", () => {
  const s = Store.open(":memory:");
  s.putRun(run("r"));
  s.putMetrics("r", "medqa", [
    { task: "medqa", name: "acc", group: "", value: 0.25, ciLow: 0.1, ciHigh: 0.4, n: 20 },
    { task: "medqa", name: "acc", group: "Cardiology", value: 0.5, ciLow: 0.2, ciHigh: 0.8, n: 4 },
    { task: "medqa", name: "ece", group: "", value: Number.NaN, n: 20 },
  ]);
  s.putMetrics("r", "pubmedqa", [{ task: "pubmedqa", name: "acc", group: "", value: 0.6 }]);
  assert.equal(s.getMetrics("r").length, 4);
  const m = s.getMetrics("r", "medqa");
  assert.deepEqual(m.find((x) => x.group === "Cardiology"), { task: "medqa", name: "acc", group: "Cardiology", value: 0.5, ciLow: 0.2, ciHigh: 0.8, n: 4 });
  assert.equal(m.find((x) => x.name === "ece")?.value, null);
  s.putMetrics("r", "medqa", [{ task: "medqa", name: "acc", group: "", value: 0.3 }]);
  assert.equal(s.getMetrics("r", "medqa").length, 1);
  assert.equal(s.getMetrics("r", "pubmedqa").length, 1, "other tasks untouched");
  assert.throws(() => s.putMetrics("r", "medqa", [{ task: "other", name: "acc", group: "", value: 1 }]), /belongs to task/);
  assert.equal(s.getMetrics("r", "medqa").length, 1, "a failed batch rolls back");

  const rows = [
    { task: "medqa", item: "q2", prediction: "B", correct: false, scores: { logliks: [-1, -2], probs: [0.7, 0.3] } },
    { task: "medqa", item: "q1", prediction: null, correct: null, scores: { error: "timeout" } },
  ];
  s.putEvalResults("r", "medqa", rows);
  assert.deepEqual(s.getEvalResults("r", "medqa"), rows, "insertion order kept");
  s.putEvalResults("r", "medqa", rows.slice(0, 1));
  assert.equal(s.getEvalResults("r", "medqa").length, 1);
  s.close();
});

test("the request cache stores JSON values and serves withCache: a rerun asks the model nothing", async () => {
  const path = join(tmpDir(), "cache.db");
  let calls = 0;
  const fake: Model = {
    async generate() {
      throw new Error("not used");
    },
    async logprobs(reqs: LogprobRequest[]) {
      calls += reqs.length;
      return reqs.map((r) => ({ logprob: r.continuation === " A" ? -Infinity : -r.continuation.length, tokens: 1, isGreedy: false }));
    },
    info: () => ({ id: "fake", provider: "test", fingerprint: "f1", capabilities: { logprobs: true, chat: false } }),
    close: async () => {},
  };
  const reqs = [" A", " B", " CC"].map((c) => ({ context: "Q:", continuation: c }));
  let store = Store.open(path);
  const first = await withCache(fake, store, "p1").logprobs(reqs);
  assert.equal(calls, 3);
  assert.equal(store.cacheSize(), 3);
  store.close();
  store = Store.open(path);
  const second = await withCache(fake, store, "p1").logprobs(reqs);
  assert.equal(calls, 3, "served from the database after reopening");
  assert.deepEqual(second, first);
  assert.equal(second[0].logprob, -Infinity, "non-finite log-probabilities survive the round trip");
  await withCache(fake, store, "p2").logprobs(reqs);
  assert.equal(calls, 6, "another protocol key is another cache entry");
  assert.equal(store.clearCache(), 6);
  assert.equal(store.get("missing"), undefined);
  store.set("k", { a: [1, 2], b: null });
  assert.deepEqual(store.get("k"), { a: [1, 2], b: null });
  assert.throws(() => store.set("k2", undefined), /cannot cache/);
  store.close();
});

test("a readonly open refuses a file without the registry schema", () => {
  const path = join(tmpDir(), "plain.db");
  new Database(path).exec("CREATE TABLE x (a)");
  assert.throws(() => Store.open(path, { readonly: true }), (e: unknown) => isMedtuneError(e) && e.code === "store.not-a-registry");
  const reg = join(tmpDir(), "reg.db");
  Store.open(reg).close();
  const ro = Store.open(reg, { readonly: true });
  assert.deepEqual(ro.listRuns(), []);
  ro.close();
});
