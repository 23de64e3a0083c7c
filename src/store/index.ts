// store: the SQLite registry of runs, metrics, per-item eval results and the request cache (better-sqlite3, WAL,
// versioned migrations). Run folders stay the source of truth; the store indexes them.
export * from "./migrations.ts";
export * from "./store.ts";
