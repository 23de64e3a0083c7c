// Progress for long jobs: a one-line bar with rate and ETA on a terminal, plain log lines otherwise.

export interface ProgressOptions {
  /** Total units when known (enables percentage and ETA). */
  total?: number;
  /** Unit name, e.g. "records" or "steps". */
  unit?: string;
  /** Where to write (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Minimum milliseconds between updates (default 200 on a terminal, 5000 otherwise). */
  intervalMs?: number;
  /** Print nothing. */
  quiet?: boolean;
}

/** Formats seconds as h:mm:ss or m:ss. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "?";
  const s = Math.round(sec);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}` : `${m}:${String(r).padStart(2, "0")}`;
}

/** Tracks a job's progress and prints rate and ETA. */
export class Progress {
  private label: string;
  private opts: ProgressOptions;
  private start = Date.now();
  private last = Date.now();
  private isTty: boolean;
  done = 0;
  constructor(label: string, opts: ProgressOptions = {}) {
    this.label = label;
    this.opts = opts;
    const stream = opts.stream ?? process.stderr;
    this.isTty = Boolean(stream.isTTY);
  }
  /** Rate in units per second so far. */
  rate(): number {
    const sec = (Date.now() - this.start) / 1000;
    return sec > 0 ? this.done / sec : 0;
  }
  /** Advances by n units; `extra` is appended to the line (e.g. "loss 2.31"). */
  tick(n = 1, extra = ""): void {
    this.done += n;
    const now = Date.now();
    const interval = this.opts.intervalMs ?? (this.isTty ? 200 : 5000);
    if (now - this.last < interval) return;
    this.last = now;
    this.render(extra, false);
  }
  /** Prints the final line. */
  finish(extra = ""): void {
    this.render(extra, true);
  }
  private render(extra: string, final: boolean): void {
    if (this.opts.quiet) return;
    const stream = this.opts.stream ?? process.stderr;
    const unit = this.opts.unit ?? "items";
    const rate = this.rate();
    const total = this.opts.total;
    let line = `${this.label}: ${this.done}${total ? `/${total}` : ""} ${unit}, ${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s`;
    if (total) {
      const frac = Math.min(1, this.done / total);
      const width = 20;
      const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
      line = `${this.label} [${bar}] ${(frac * 100).toFixed(0)}% ${this.done}/${total} ${unit}, ${rate.toFixed(rate < 10 ? 2 : 0)} ${unit}/s, ETA ${formatDuration(rate > 0 ? (total - this.done) / rate : NaN)}`;
    }
    if (final) line += `, ${formatDuration((Date.now() - this.start) / 1000)} elapsed`;
    if (extra) line += `, ${extra}`;
    if (this.isTty) stream.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
    else stream.write(line + "\n");
  }
}
