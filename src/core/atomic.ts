// Atomic file writes: everything is written to a temporary file beside the target and renamed into place,
// so an interrupted job never leaves a half-written output that looks complete.
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync, type WriteStream } from "node:fs";
import { dirname, basename, join } from "node:path";

function tmpPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
}

/** Writes a whole file atomically (temp file + rename), creating parent folders. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpPath(path);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Writes JSON (2-space indent, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** A streaming writer whose output appears at `path` only on `close()`; `abort()` removes it. */
export class AtomicWriter {
  readonly path: string;
  private tmp: string;
  private stream: WriteStream;
  private pending: string[] = [];
  private pendingBytes = 0;
  private failed: Error | null = null;
  /** Bytes written so far. */
  bytes = 0;
  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tmpPath(path);
    this.stream = createWriteStream(this.tmp);
    this.stream.on("error", (e) => (this.failed = e));
  }
  /** Queues text; call `flushIfNeeded()` (awaited) now and then to respect back-pressure. */
  write(text: string): void {
    this.pending.push(text);
    this.pendingBytes += text.length;
    this.bytes += Buffer.byteLength(text);
  }
  /** Writes one JSON value as a line. */
  writeLine(value: unknown): void {
    this.write(JSON.stringify(value) + "\n");
  }
  /** Flushes when enough text is queued; resolves once the stream can take more. */
  async flushIfNeeded(threshold = 1 << 20): Promise<void> {
    if (this.pendingBytes >= threshold) await this.flush();
  }
  /** Hands all queued text to the stream, waiting for drain if needed. */
  async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.stream.write(text)) await new Promise<void>((res) => this.stream.once("drain", res));
  }
  /** Finishes the file and renames it into place. */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((res, rej) => this.stream.end((e?: Error | null) => (e ? rej(e) : res())));
    if (this.failed) throw this.failed;
    renameSync(this.tmp, this.path);
  }
  /** Drops the partial output. */
  async abort(): Promise<void> {
    await new Promise<void>((res) => this.stream.end(() => res()));
    rmSync(this.tmp, { force: true });
  }
}
