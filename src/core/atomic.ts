// Atomic file writes: everything is written to a temporary file beside the target and renamed into place,
// so an interrupted job never leaves a half-written output that looks complete.
import { createHash, type Hash } from "node:crypto";
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

const CHUNK_BYTES = 1 << 18; // queued text is handed to the stream in chunks of this size (a longer line gets its own)

/** Options of an AtomicWriter. */
export interface AtomicWriterOptions {
  /** Also compute the SHA-256 of the bytes written, read with `sha256()` after `close()` (no second read of the file). */
  sha256?: boolean;
}

const encoder = new TextEncoder();

/** A streaming writer whose output appears at `path` only on `close()`; `abort()` removes it. */
export class AtomicWriter {
  readonly path: string;
  private tmp: string;
  private stream: WriteStream;
  private chunk: Uint8Array = new Uint8Array(CHUNK_BYTES); // UTF-8 not yet handed to the stream
  private used = 0;
  private spare: Uint8Array[] = []; // chunks the stream has written, for reuse (no allocation churn on long runs)
  private handed = 0; // bytes handed to the stream
  private hash: Hash | null;
  private digest: string | null = null;
  private failed: Error | null = null;
  constructor(path: string, opts: AtomicWriterOptions = {}) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tmpPath(path);
    this.stream = createWriteStream(this.tmp);
    this.stream.on("error", (e) => (this.failed = e));
    this.hash = opts.sha256 ? createHash("sha256") : null;
  }
  /** Bytes written so far (queued ones included). */
  get bytes(): number {
    return this.handed + this.used;
  }
  /** Queues text; call `flushIfNeeded()` (awaited) now and then to respect back-pressure. */
  write(text: string): void {
    this.room(text.length * 3);
    this.used += encoder.encodeInto(text, this.chunk.subarray(this.used)).written;
  }
  /** Queues UTF-8 bytes (copied). */
  writeBytes(bytes: Uint8Array): void {
    this.room(bytes.byteLength);
    this.chunk.set(bytes, this.used);
    this.used += bytes.byteLength;
  }
  /** Writes one JSON value as a line. */
  writeLine(value: unknown): void {
    this.write(JSON.stringify(value) + "\n");
  }
  /** Waits while the stream holds more than the threshold (bytes) not yet on disk. */
  async flushIfNeeded(threshold = 1 << 20): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.stream.writableLength >= threshold) await new Promise<void>((res) => this.stream.once("drain", res));
  }
  /** Hands all queued text to the stream, waiting for drain if needed. */
  async flush(): Promise<void> {
    if (this.failed) throw this.failed;
    this.handOff(CHUNK_BYTES);
    if (this.stream.writableNeedDrain) await new Promise<void>((res) => this.stream.once("drain", res));
  }
  /** Finishes the file and renames it into place. */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((res, rej) => this.stream.end((e?: Error | null) => (e ? rej(e) : res())));
    if (this.failed) throw this.failed;
    renameSync(this.tmp, this.path);
    if (this.hash) this.digest = this.hash.digest("hex");
  }
  /** Hex SHA-256 of the file, after `close()` of a writer made with `{ sha256: true }`. */
  sha256(): string {
    if (this.digest === null) throw new Error(`AtomicWriter ${this.path}: sha256() needs { sha256: true } and a finished close()`);
    return this.digest;
  }
  /** Drops the partial output. */
  async abort(): Promise<void> {
    await new Promise<void>((res) => this.stream.end(() => res()));
    rmSync(this.tmp, { force: true });
  }
  /** Makes room for n more bytes: a full chunk goes to the stream (it keeps it until written). */
  private room(n: number): void {
    if (this.used + n <= this.chunk.length) return;
    this.handOff(Math.max(CHUNK_BYTES, n));
  }
  private handOff(nextSize: number): void {
    if (this.used === 0) {
      if (this.chunk.length < nextSize) this.chunk = new Uint8Array(nextSize);
      return;
    }
    const chunk = this.chunk;
    const buf = chunk.subarray(0, this.used);
    this.hash?.update(buf);
    this.handed += this.used;
    this.stream.write(buf, () => {
      if (chunk.length === CHUNK_BYTES && this.spare.length < 4) this.spare.push(chunk);
    });
    this.chunk = (nextSize === CHUNK_BYTES ? this.spare.pop() : undefined) ?? new Uint8Array(nextSize);
    this.used = 0;
  }
}
