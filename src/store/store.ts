// The SQLite registry (better-sqlite3, WAL): runs, their metrics with intervals, per-item eval results, and the
// request cache every model call goes through (it implements providers' RequestCache structurally: get/set).
// Run folders stay the source of truth; the store indexes them so runs can be listed, compared and resumed.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { MedtuneError, errorMessage } from "../core/index.ts";
import { migrate } from "./migrations.ts";

/** Lifecycle of a run. */
export type RunStatus = "running" | "done" | "failed" | "interrupted";

/** One run as the registry knows it. */
export interface RunRecord {
  /** unique id; medtune uses the run folder's name */
  id: string;
  /** the recipe that made it: prepare, eval, select, ... */
  recipe: string;
  name: string;
  /** absolute path of the run folder */
  folder: string;
  /** the resolved config (JSON) */
  config: unknown;
  /** ISO time the run started */
  created: string;
  /** ISO time of the last change (set by the store) */
  updated?: string;
  status: RunStatus;
}

/** One metric value with its interval; `group` "" is the overall row, otherwise a subject, source, ... */
export interface MetricRow {
  task: string;
  name: string;
  group: string;
  value: number | null;
  ciLow?: number | null;
  ciHigh?: number | null;
  n?: number | null;
}

/** One evaluated item. */
export interface EvalResultRow {
  task: string;
  item: string;
  prediction: string | null;
  correct: boolean | null;
  /** every per-item score and detail (JSON) */
  scores: Record<string, unknown>;
}

/** Options of openStore. */
export interface StoreOptions {
  /** open without writing (no migrations; fails if the schema is missing) */
  readonly?: boolean;
  /** milliseconds to wait for another process's write lock (default 10000) */
  busyTimeoutMs?: number;
}

const RUN_STATUSES: readonly RunStatus[] = ["running", "done", "failed", "interrupted"];

/** The registry file inside a runs folder. */
export function defaultStorePath(runsDir = "runs"): string {
  return join(runsDir, "medtune.db");
}

/** Finite numbers only: NaN and ±Infinity become NULL in SQL. */
function num(x: number | null | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

interface RunSqlRow {
  id: string;
  recipe: string;
  name: string;
  folder: string;
  config: string;
  created: string;
  updated: string;
  status: RunStatus;
}

function runFromSql(r: RunSqlRow): RunRecord {
  return { id: r.id, recipe: r.recipe, name: r.name, folder: r.folder, config: JSON.parse(r.config) as unknown, created: r.created, updated: r.updated, status: r.status };
}

/** The registry database. */
export class Store {
  /** absolute path of the database file (":memory:" for an in-memory store) */
  readonly path: string;
  private readonly db: Database.Database;
  private readonly st: ReturnType<Store["prepareAll"]>;

  private constructor(path: string, db: Database.Database) {
    this.path = path;
    this.db = db;
    this.st = this.prepareAll();
  }

  /** Opens (creating and migrating when needed) the registry at `path`; ":memory:" gives a private in-memory one. */
  static open(path: string, opts: StoreOptions = {}): Store {
    const abs = path === ":memory:" ? path : resolve(path);
    let db: Database.Database;
    try {
      if (abs !== ":memory:" && !opts.readonly) mkdirSync(dirname(abs), { recursive: true });
      db = new Database(abs, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    } catch (e) {
      throw new MedtuneError("store.open", `cannot open the registry database: ${errorMessage(e)}`, { where: abs, hint: "check the path and its permissions (--store PATH)" });
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.round(opts.busyTimeoutMs ?? 10000))}`);
      if (!opts.readonly) {
        if (abs !== ":memory:") db.pragma("journal_mode = WAL");
        db.pragma("synchronous = NORMAL");
        db.pragma("foreign_keys = ON");
        migrate(db, abs);
      } else {
        const ok = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
        if (!ok) throw new MedtuneError("store.not-a-registry", "the file is not a medtune registry (no schema_version table)", { where: abs, hint: "open it once without readonly to create the schema" });
      }
      return new Store(abs, db);
    } catch (e) {
      db.close();
      if (e instanceof MedtuneError) throw e;
      throw new MedtuneError("store.open", `cannot use the registry database: ${errorMessage(e)}`, { where: abs, hint: "is it a SQLite file written by medtune? Move it aside to start a fresh registry" });
    }
  }

  private prepareAll() {
    const db = this.db;
    return {
      upsertRun: db.prepare(
        `INSERT INTO runs (id, recipe, name, folder, config, created, updated, status) VALUES (@id, @recipe, @name, @folder, @config, @created, @updated, @status)
         ON CONFLICT (id) DO UPDATE SET recipe = excluded.recipe, name = excluded.name, folder = excluded.folder, config = excluded.config,
           created = excluded.created, updated = excluded.updated, status = excluded.status`,
      ),
      setStatus: db.prepare("UPDATE runs SET status = ?, updated = ? WHERE id = ?"),
      getRun: db.prepare("SELECT * FROM runs WHERE id = ?"),
      runByFolder: db.prepare("SELECT * FROM runs WHERE folder = ? ORDER BY created DESC LIMIT 1"),
      deleteRun: db.prepare("DELETE FROM runs WHERE id = ?"),
      deleteMetrics: db.prepare("DELETE FROM metrics WHERE run = ? AND task = ?"),
      insertMetric: db.prepare("INSERT OR REPLACE INTO metrics (run, task, name, grp, value, ci_low, ci_high, n) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
      metricsOfRun: db.prepare("SELECT * FROM metrics WHERE run = ? ORDER BY task, name, grp"),
      metricsOfTask: db.prepare("SELECT * FROM metrics WHERE run = ? AND task = ? ORDER BY name, grp"),
      deleteResults: db.prepare("DELETE FROM eval_results WHERE run = ? AND task = ?"),
      insertResult: db.prepare("INSERT OR REPLACE INTO eval_results (run, task, item, seq, prediction, correct, scores) VALUES (?, ?, ?, ?, ?, ?, ?)"),
      resultsOfTask: db.prepare("SELECT * FROM eval_results WHERE run = ? AND task = ? ORDER BY seq"),
      cacheGet: db.prepare("SELECT value FROM request_cache WHERE key = ?").pluck(),
      cacheSet: db.prepare("INSERT OR REPLACE INTO request_cache (key, value, created) VALUES (?, ?, ?)"),
      cacheCount: db.prepare("SELECT COUNT(*) FROM request_cache").pluck(),
      cacheClear: db.prepare("DELETE FROM request_cache"),
    };
  }

  /** Runs `fn` in one transaction (all or nothing; much faster for batches). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Inserts or replaces a run. */
  putRun(run: RunRecord): void {
    if (!RUN_STATUSES.includes(run.status)) throw new MedtuneError("store.bad-status", `unknown run status "${String(run.status)}"`, { hint: `use one of ${RUN_STATUSES.join(", ")}` });
    this.st.upsertRun.run({ ...run, config: JSON.stringify(run.config ?? null), updated: new Date().toISOString() });
  }

  /** Changes a run's status; false when the run is unknown. */
  setRunStatus(id: string, status: RunStatus): boolean {
    if (!RUN_STATUSES.includes(status)) throw new MedtuneError("store.bad-status", `unknown run status "${String(status)}"`, { hint: `use one of ${RUN_STATUSES.join(", ")}` });
    return this.st.setStatus.run(status, new Date().toISOString(), id).changes > 0;
  }

  /** The run with this id. */
  getRun(id: string): RunRecord | undefined {
    const r = this.st.getRun.get(id) as RunSqlRow | undefined;
    return r ? runFromSql(r) : undefined;
  }

  /** The newest run indexed from this folder. */
  findRunByFolder(folder: string): RunRecord | undefined {
    const r = this.st.runByFolder.get(resolve(folder)) as RunSqlRow | undefined;
    return r ? runFromSql(r) : undefined;
  }

  /** Runs, newest first, optionally of one recipe or status. */
  listRuns(filter: { recipe?: string; status?: RunStatus; limit?: number } = {}): RunRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.recipe !== undefined) {
      where.push("recipe = ?");
      args.push(filter.recipe);
    }
    if (filter.status !== undefined) {
      where.push("status = ?");
      args.push(filter.status);
    }
    const limit = filter.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(filter.limit))}` : "";
    const sql = `SELECT * FROM runs${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY created DESC, id DESC${limit}`;
    return (this.db.prepare(sql).all(...args) as RunSqlRow[]).map(runFromSql);
  }

  /** Removes a run with its metrics and results. */
  deleteRun(id: string): boolean {
    return this.st.deleteRun.run(id).changes > 0;
  }

  /** Replaces the metrics of one task of a run. */
  putMetrics(run: string, task: string, rows: readonly MetricRow[]): void {
    this.transaction(() => {
      this.st.deleteMetrics.run(run, task);
      for (const m of rows) {
        if (m.task !== task) throw new MedtuneError("store.bad-row", `metric "${m.name}" belongs to task "${m.task}", not "${task}"`);
        this.st.insertMetric.run(run, task, m.name, m.group, num(m.value), num(m.ciLow), num(m.ciHigh), m.n ?? null);
      }
    });
  }

  /** Metrics of a run (one task, or all). */
  getMetrics(run: string, task?: string): MetricRow[] {
    const rows = (task === undefined ? this.st.metricsOfRun.all(run) : this.st.metricsOfTask.all(run, task)) as Array<{ task: string; name: string; grp: string; value: number | null; ci_low: number | null; ci_high: number | null; n: number | null }>;
    return rows.map((r) => ({ task: r.task, name: r.name, group: r.grp, value: r.value, ciLow: r.ci_low, ciHigh: r.ci_high, n: r.n }));
  }

  /** Replaces the per-item results of one task of a run. */
  putEvalResults(run: string, task: string, rows: readonly EvalResultRow[]): void {
    this.transaction(() => {
      this.st.deleteResults.run(run, task);
      rows.forEach((r, seq) => {
        if (r.task !== task) throw new MedtuneError("store.bad-row", `result of item "${r.item}" belongs to task "${r.task}", not "${task}"`);
        this.st.insertResult.run(run, task, r.item, seq, r.prediction, r.correct === null ? null : r.correct ? 1 : 0, JSON.stringify(r.scores));
      });
    });
  }

  /** Per-item results of one task of a run, in insertion order. */
  getEvalResults(run: string, task: string): EvalResultRow[] {
    const rows = this.st.resultsOfTask.all(run, task) as Array<{ task: string; item: string; prediction: string | null; correct: number | null; scores: string }>;
    return rows.map((r) => ({ task: r.task, item: r.item, prediction: r.prediction, correct: r.correct === null ? null : r.correct === 1, scores: JSON.parse(r.scores) as Record<string, unknown> }));
  }

  /** RequestCache: the stored value for a request key, or undefined. */
  get(key: string): unknown | undefined {
    const v = this.st.cacheGet.get(key) as string | undefined;
    return v === undefined ? undefined : (JSON.parse(v) as unknown);
  }

  /** RequestCache: stores a value (JSON) under a request key. */
  set(key: string, value: unknown): void {
    const text = JSON.stringify(value);
    if (text === undefined) throw new MedtuneError("store.bad-value", `cannot cache a value of type ${typeof value}`, { where: `request cache key ${key.slice(0, 12)}` });
    this.st.cacheSet.run(key, text, new Date().toISOString());
  }

  /** Number of cached requests. */
  cacheSize(): number {
    return Number(this.st.cacheCount.get());
  }

  /** Empties the request cache; returns the number of entries removed. */
  clearCache(): number {
    return this.st.cacheClear.run().changes;
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
