// The registry database's schema as an ordered list of migrations: each one runs once, in a transaction, and
// is recorded in `schema_version`, so an old database is brought forward on open and a database written by a
// newer medtune is refused instead of being misread.
import type Database from "better-sqlite3";
import { MedtuneError } from "../core/index.ts";

/** One schema step. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Every migration, in order; append new ones, never edit old ones. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "runs, metrics, eval results, request cache",
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        recipe TEXT NOT NULL,
        name TEXT NOT NULL,
        folder TEXT NOT NULL,
        config TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted'))
      );
      CREATE INDEX runs_by_recipe ON runs (recipe, created);
      CREATE INDEX runs_by_folder ON runs (folder);
      CREATE TABLE metrics (
        run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        task TEXT NOT NULL,
        name TEXT NOT NULL,
        grp TEXT NOT NULL,
        value REAL,
        ci_low REAL,
        ci_high REAL,
        n INTEGER,
        PRIMARY KEY (run, task, name, grp)
      ) WITHOUT ROWID;
      CREATE TABLE eval_results (
        run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        task TEXT NOT NULL,
        item TEXT NOT NULL,
        seq INTEGER NOT NULL,
        prediction TEXT,
        correct INTEGER CHECK (correct IN (0, 1)),
        scores TEXT NOT NULL,
        PRIMARY KEY (run, task, item)
      ) WITHOUT ROWID;
      CREATE TABLE request_cache (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        created TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/** The schema version this medtune writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Applies every migration newer than the database's version; returns the versions applied. */
export function migrate(db: Database.Database, where: string): number[] {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied TEXT NOT NULL)");
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
  const have = row.v ?? 0;
  if (have > SCHEMA_VERSION) {
    throw new MedtuneError("store.newer-schema", `the registry database has schema version ${have}, newer than this medtune's ${SCHEMA_VERSION}`, {
      where,
      hint: "upgrade medtune, or point --store at another database file",
    });
  }
  const applied: number[] = [];
  const record = db.prepare("INSERT INTO schema_version (version, description, applied) VALUES (?, ?, ?)");
  for (const m of MIGRATIONS) {
    if (m.version <= have) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.description, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}
