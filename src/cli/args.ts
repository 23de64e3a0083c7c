// Command specs and argument parsing (node:util parseArgs): every command gets `--help`, unknown flags are a
// one-line usage error, and flags are turned into config overrides by the command itself.
import { parseArgs } from "node:util";
import { MedtuneError } from "../core/index.ts";

/** One flag of a command. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder for the value in help, e.g. "PATH". */
  value?: string;
  description: string;
}

/** A command: its words (`data prepare`), help text and handler. */
export interface CommandSpec {
  words: string[];
  summary: string;
  usage: string;
  /** Paragraphs printed under the usage line. */
  details?: string;
  flags: Record<string, FlagSpec>;
  run(flags: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** Flags every command takes. */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  help: { type: "boolean", short: "h", description: "show this help" },
  debug: { type: "boolean", description: "print stack traces on errors" },
  quiet: { type: "boolean", short: "q", description: "print only errors and results" },
};

/** Renders a command's help. */
export function commandHelp(cmd: CommandSpec): string {
  const flags = { ...cmd.flags, ...COMMON_FLAGS };
  const rows = Object.entries(flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : "    "}--${name}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}`;
    return [left, f.description + (f.multiple ? " (repeatable)" : "")];
  });
  const width = Math.max(...rows.map((r) => r[0].length)) + 2;
  return [
    `medtune ${cmd.words.join(" ")}: ${cmd.summary}`,
    "",
    `usage: ${cmd.usage}`,
    ...(cmd.details ? ["", cmd.details] : []),
    "",
    "options:",
    ...rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`),
    "",
  ].join("\n");
}

/** Parses argv for a command; unknown flags and missing values become a one-line usage error. */
export function parseCommandArgs(cmd: CommandSpec, argv: string[]): { flags: Record<string, unknown>; positionals: string[] } {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const [name, f] of Object.entries({ ...cmd.flags, ...COMMON_FLAGS })) options[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { flags: values as Record<string, unknown>, positionals };
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0].replace(/\. To specify a positional argument.*$/, "");
    throw new MedtuneError("cli.usage", msg, { where: `medtune ${cmd.words.join(" ")}`, hint: `see medtune ${cmd.words.join(" ")} --help` });
  }
}

/** Parses a number flag, naming the flag on error. */
export function numberFlag(flags: Record<string, unknown>, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new MedtuneError("cli.usage", `--${name} expects a number, got "${String(v)}"`, { hint: `e.g. --${name} 42` });
  return n;
}

/** Parses `--set a.b=value` overrides (value parsed as JSON when it can be, else kept as a string). */
export function parseSetFlags(list: unknown): Array<[string, unknown]> {
  if (!Array.isArray(list)) return [];
  return list.map((s: string) => {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new MedtuneError("cli.usage", `--set expects key.path=value, got "${s}"`, { hint: "e.g. --set dedup.threshold=0.9" });
    const raw = s.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    return [s.slice(0, eq), value];
  });
}
