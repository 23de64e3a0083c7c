// Configuration files (YAML or JSON) validated with zod: unknown keys are rejected with their path, and
// command-line flags override the file. Errors name the file, the key path and what is expected.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { z } from "zod";
import { MedtuneError } from "./errors.ts";

// yaml loads on first use: a worker thread that never reads a config file skips ~20 ms of module loading
let yamlParser: ((text: string) => unknown) | null = null;
function yamlParse(): (text: string) => unknown {
  yamlParser ??= (createRequire(import.meta.url)("yaml") as { parse: (text: string) => unknown }).parse;
  return yamlParser;
}

/** Reads a YAML or JSON file into a plain value (no validation). */
export function readConfigFile(path: string): unknown {
  if (!existsSync(path)) throw new MedtuneError("config.missing", `config file not found: ${path}`, { hint: "check the path given to --config" });
  const text = readFileSync(path, "utf8");
  try {
    if (path.endsWith(".json")) return JSON.parse(text);
    return yamlParse()(text) ?? {};
  } catch (e) {
    throw new MedtuneError("config.parse", `cannot parse config: ${(e as Error).message.split("\n")[0].replace(/:\s*$/, "")}`, { where: path, hint: "fix the YAML/JSON syntax" });
  }
}

/** Sets `value` at a dotted path (`a.b.c`) inside `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let cur: Record<string, unknown> = target;
  for (let i = 0; i < keys.length - 1; i++) {
    const k = keys[i];
    if (typeof cur[k] !== "object" || cur[k] === null || Array.isArray(cur[k])) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

/** Deep-merges `over` into a copy of `base` (objects merge, everything else replaces). */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (typeof base !== "object" || base === null || Array.isArray(base) || typeof over !== "object" || over === null || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = deepMerge(out[k], v);
  return out;
}

/** Formats a zod issue path as `a.b[2].c`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || "(root)";
}

/** Validates a value with a zod schema, throwing a one-line MedtuneError that names the key path. */
export function validateConfig<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  let path = formatPath(issue.path);
  let msg = issue.message;
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys: string[] }).keys;
    path = formatPath([...issue.path, keys[0]]);
    msg = `unknown key "${keys.join('", "')}"`;
    throw new MedtuneError("config.unknown-key", `${msg} at ${path}`, { where, hint: "remove it or check its spelling against the documented keys" });
  }
  throw new MedtuneError("config.invalid", `invalid value at ${path}: ${msg}`, { where, hint: "fix this key in the config or flag" });
}

/** Loads config: file (optional) deep-merged with overrides (flags), then validated strictly. */
export function loadConfig<S extends z.ZodType>(schema: S, opts: { file?: string; overrides?: Record<string, unknown> }): z.infer<S> {
  const fromFile = opts.file ? readConfigFile(opts.file) : {};
  const merged = deepMerge(fromFile, opts.overrides ?? {});
  return validateConfig(schema, merged, opts.file ?? "flags");
}
