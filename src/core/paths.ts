// Where medtune's own files live (built-in assets) and how run folders are named.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | null = null;

/** The medtune package root (the folder holding its package.json), from src/ or dist/. */
export function packageRoot(): string {
  if (root) return root;
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pj = join(d, "package.json");
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "medtune") return (root = d);
      } catch {
        /* keep looking */
      }
    }
    d = dirname(d);
  }
  throw new Error("cannot find medtune's package.json above " + fileURLToPath(import.meta.url));
}

/** Path of a built-in asset (e.g. `demo/mcq.jsonl`). */
export function assetPath(rel: string): string {
  return resolve(packageRoot(), "assets", rel);
}

/** medtune's version from package.json. */
export function medtuneVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

/** A run folder name: `<yyyymmdd-hhmmss>-<recipe>-<name>` (UTC). */
export function runFolderName(recipe: string, name: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${recipe}-${name.replace(/[^A-Za-z0-9._-]+/g, "-")}`;
}
