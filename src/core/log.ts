// Logging to stderr with levels; stdout stays free for results (JSON lines, reports).

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
let current: LogLevel = (process.env.MEDTUNE_LOG as LogLevel) in ORDER ? (process.env.MEDTUNE_LOG as LogLevel) : "info";

/** Sets the minimum level printed. */
export function setLogLevel(level: LogLevel): void {
  current = level;
}

function emit(level: LogLevel, msg: string): void {
  if (ORDER[level] < ORDER[current]) return;
  process.stderr.write(level === "info" ? `${msg}\n` : `${level}: ${msg}\n`);
}

/** The project logger. */
export const log = {
  debug: (m: string) => emit("debug", m),
  info: (m: string) => emit("info", m),
  warn: (m: string) => emit("warn", m),
  error: (m: string) => emit("error", m),
};
