// Resolving an adapter's path: one file, or a folder walked recursively in natural order (1_, 2_, ... 10_), with
// whole-path problems (missing, wrong kind, unreadable, no matching files) thrown as one-line MedtuneErrors.
import { statSync, readdirSync, type Stats } from "node:fs";
import { join, relative } from "node:path";
import { MedtuneError } from "../../core/index.ts";

const collator = new Intl.Collator("en", { numeric: true });

function statOrThrow(path: string, adapter: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new MedtuneError("data.not-found", `${adapter}: no such file or folder: ${path}`, { where: path, hint: "check the dataset path in the config or on the command line" });
    }
    throw new MedtuneError("data.unreadable", `${adapter}: cannot read ${path} (${code ?? (e as Error).message})`, { where: path, hint: "check the file's permissions" });
  }
}

/** Checks that `path` is a readable file; throws a MedtuneError naming the path otherwise. */
export function requireFile(path: string, adapter: string): void {
  const st = statOrThrow(path, adapter);
  if (st.isDirectory()) {
    throw new MedtuneError("data.not-a-file", `${adapter}: ${path} is a folder, but this adapter reads one file`, { where: path, hint: "give the path of a file inside it" });
  }
}

/** Whether `path` is a folder (after checking it exists). */
export function isFolder(path: string, adapter: string): boolean {
  return statOrThrow(path, adapter).isDirectory();
}

/**
 * The files an adapter reads under `path`: `[path]` for a file, else every file below the folder whose name ends
 * with one of `exts` (hidden files skipped), sorted by relative path in natural order. Throws when none match.
 */
export function listFiles(path: string, exts: string[], adapter: string): string[] {
  if (!isFolder(path, adapter)) return [path];
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw new MedtuneError("data.unreadable", `${adapter}: cannot list ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { where: dir, hint: "check the folder's permissions" });
    }
    for (const name of names) {
      if (name.startsWith(".")) continue;
      const p = join(dir, name);
      const st = statOrThrow(p, adapter);
      if (st.isDirectory()) walk(p);
      else if (exts.some((e) => name.toLowerCase().endsWith(e))) out.push(p);
    }
  };
  walk(path);
  if (out.length === 0) {
    throw new MedtuneError("data.no-files", `${adapter}: no ${exts.join(" or ")} files under ${path}`, { where: path, hint: "point the adapter at the dataset's folder or at one of its files" });
  }
  return out.sort((a, b) => collator.compare(relative(path, a), relative(path, b)));
}
