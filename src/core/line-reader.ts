// A cursor over the lines of a file (readLines in lines.ts is a generator over it): 1-based numbers, byte lengths, LF
// or CRLF, a leading UTF-8 byte-order mark dropped, strict UTF-8 and a size limit. The next chunk is read while this
// one is parsed, and text is decoded only for the lines a reader asks for: runs of ASCII lines are decoded at once
// (each line a slice of one one-byte string) until the reader calls lineByLine(), then line by line, so a thread that
// skips other threads' records decodes none of them.
import { open, type FileHandle } from "node:fs/promises";
import { isAscii } from "node:buffer";
import { decodeUtf8 } from "./strict-utf8.ts";

/** Limits of a LineReader. */
export interface LineReaderOptions {
  /** Lines longer than this (bytes, without the LF) have no text: they are reported instead of decoded. */
  maxLineBytes: number;
  /** How much of a line without text is kept for raw(). */
  maxRawBytes: number;
  /** Drop a UTF-8 byte-order mark at the start of the file (default true). */
  stripBom?: boolean;
}

const READ_BYTES = 1 << 20;
// The first probe when looking for the end of a run of ASCII bytes (probes double from there).
const ASCII_PROBE_BYTES = 4096;
const lenient = new TextDecoder("utf-8");

/**
 * A cursor over the lines of a file: `while (await r.fill()) while (r.next()) ...` visits every line in order; `line`,
 * `bytes`, isBlank(), text() and raw() describe the current one. close() when done.
 */
export class LineReader {
  /** 1-based number of the current line. */
  line = 0;
  /** Byte length of the current line (without its LF; a CR before the LF counts). */
  bytes = 0;
  /** Bytes of the byte-order mark dropped at the start of the file (0 or 3), known once fill() has read. */
  bomBytes = 0;

  private buf = Buffer.allocUnsafe(READ_BYTES);
  private have = 0; // bytes of buf read from the file
  private pos = 0; // start of the next line in buf
  private complete = 0; // just past the last LF in buf: the lines before it are whole
  private eof = false;
  private first = true;
  // the read ahead: into `spare` while the lines already read are parsed
  private spare = Buffer.allocUnsafe(READ_BYTES);
  private pending: Promise<number> | null = null;
  private readError: unknown = null;
  // the current line: buf[start, end) without the LF; bodyEnd also drops a final CR
  private start = 0;
  private end = 0;
  private bodyEnd = 0;
  private cached: string | undefined | null = null; // its text; null: not decoded yet
  // a line over the limit that outgrew the buffer: only its head (for raw) and its length are kept
  private longHead: Buffer | null = null;
  private longBytes = 0;
  private isLong = false;
  // decoded ASCII lines: buf[winStart, winEnd) as one string (bytes and characters line up)
  private win: string | null = null;
  private winStart = 0;
  private winEnd = 0;
  private nonAscii = -1; // the first non-ASCII byte at or after the last run searched (complete: none; -1: not searched)
  private perLine = false;

  private constructor(
    private readonly file: FileHandle,
    private readonly opts: LineReaderOptions,
  ) {}

  /** Opens `path` for reading lines. */
  static async open(path: string, opts: LineReaderOptions): Promise<LineReader> {
    return new LineReader(await open(path, "r"), opts);
  }

  /** Reads on until at least one more line is whole; false when the file has no lines left. */
  async fill(): Promise<boolean> {
    if (this.pos > 0) {
      // keep the unfinished line, at the front
      this.buf.copy(this.buf, 0, this.pos, this.have);
      this.have -= this.pos;
      this.pos = 0;
    }
    this.complete = 0;
    this.win = null;
    this.nonAscii = -1;
    // above this, an unfinished line is known to be over the limit: only the head that raw() needs is kept
    const keep = Math.max(this.opts.maxLineBytes, this.opts.maxRawBytes + 1);
    for (;;) {
      if (this.eof) return this.have > 0 || this.longHead !== null;
      const from = this.have;
      if ((await this.readMore()) === 0) {
        this.eof = true;
        continue;
      }
      if (this.first) {
        this.first = false;
        if (this.opts.stripBom !== false && this.have >= 3 && this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf) this.pos = this.bomBytes = 3;
      }
      // the first LF read now (the unfinished line before it has none); the buffer past `have` is stale
      let nl = this.buf.indexOf(0x0a, from);
      if (nl >= this.have) nl = -1;
      if (this.longHead !== null) {
        // the rest of an over-long line: count it, keep only what follows its LF
        if (nl < 0) {
          this.longBytes += this.have;
          this.have = 0;
          continue;
        }
        this.longBytes += nl;
        this.pos = nl + 1;
      }
      if (nl >= 0) {
        this.complete = this.buf.lastIndexOf(0x0a, this.have - 1) + 1;
        return true;
      }
      if (this.have - this.pos > keep) {
        this.longHead = Buffer.from(this.buf.subarray(this.pos, this.pos + this.opts.maxRawBytes));
        this.longBytes = this.have - this.pos;
        this.have = 0;
        this.pos = 0;
      }
    }
  }

  /** Moves to the next line; false when fill() must read more first. */
  next(): boolean {
    this.cached = null;
    if (this.isLong) {
      this.isLong = false;
      this.longHead = null;
    } else if (this.longHead !== null) {
      // fill() returns only once the over-long line has ended (at its LF or the end of the file)
      this.line++;
      this.isLong = true;
      this.bytes = this.longBytes;
      return true;
    }
    let end: number;
    if (this.pos < this.complete) end = this.buf.indexOf(0x0a, this.pos);
    else if (this.eof && this.pos < this.have) end = this.have; // the last line, without a final LF
    else return false;
    this.line++;
    this.start = this.pos;
    this.end = end;
    this.bytes = end - this.pos;
    this.bodyEnd = end > this.pos && this.buf[end - 1] === 0x0d ? end - 1 : end;
    this.pos = end === this.have ? end : end + 1;
    return true;
  }

  /** Whether the current line holds only whitespace (then it is no record); an over-long line is never blank. */
  isBlank(): boolean {
    if (this.isLong || this.bytes > this.opts.maxLineBytes) return false;
    const buf = this.buf;
    for (let i = this.start; i < this.end; i++) {
      const b = buf[i];
      if (b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0b || b === 0x0c) continue;
      if (b < 0x80) return false;
      const t = this.text(); // Unicode spaces count too, as String.prototype.trim has them
      return t !== undefined && t.trim() === "";
    }
    return true;
  }

  /** The current line's text (without CR/LF); undefined when it is over maxLineBytes or not valid UTF-8. */
  text(): string | undefined {
    if (this.cached !== null) return this.cached;
    if (this.isLong || this.bytes > this.opts.maxLineBytes) return (this.cached = undefined);
    const { buf, start, end, bodyEnd } = this;
    if ((this.win === null || end >= this.winEnd) && !this.perLine && end < this.complete) this.decodeAsciiRun();
    if (this.win !== null && start >= this.winStart && end < this.winEnd) {
      return (this.cached = this.win.slice(start - this.winStart, bodyEnd - this.winStart));
    }
    return (this.cached = decodeUtf8(buf, start, bodyEnd)); // drops a byte-order mark that starts the line, as TextDecoder does
  }

  /** The current line decoded leniently (U+FFFD for invalid bytes), cut at maxRawBytes: for a line without text. */
  raw(): string {
    if (this.isLong) return lenient.decode(this.longHead!);
    return lenient.decode(this.buf.subarray(this.start, Math.min(this.bodyEnd, this.start + this.opts.maxRawBytes)));
  }

  /** From now on decode only the lines asked for, one by one (a reader that skips lines calls it). */
  lineByLine(): void {
    this.perLine = true;
  }

  /** Closes the file (after the read ahead, if one is under way). */
  async close(): Promise<void> {
    if (this.pending !== null) await this.pending;
    await this.file.close();
  }

  // Appends the next chunk of the file at `have` (the one read ahead, if any) and starts reading the one after.
  private async readMore(): Promise<number> {
    if (this.have + READ_BYTES > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.have + READ_BYTES));
      this.buf.copy(grown, 0, 0, this.have);
      this.buf = grown;
    }
    let n: number;
    if (this.pending !== null) {
      n = await this.pending;
      this.pending = null;
      if (n < 0) throw this.readError;
      this.spare.copy(this.buf, this.have, 0, n);
    } else {
      n = (await this.file.read(this.buf, this.have, READ_BYTES, null)).bytesRead;
    }
    this.have += n;
    if (n > 0) {
      // a failed read ahead is reported when its bytes are needed, not as an unhandled rejection
      this.pending = this.file.read(this.spare, 0, READ_BYTES, null).then(
        (r) => r.bytesRead,
        (e: unknown) => {
          this.readError = e;
          return -1;
        },
      );
    }
    return n;
  }

  // Decodes the whole ASCII lines from the current one on as one string (its characters are the bytes, so a line
  // is a slice at its byte offsets); a line with other bytes is left to be decoded on its own.
  private decodeAsciiRun(): void {
    const { buf, start, complete } = this;
    if (this.nonAscii < start) this.nonAscii = firstNonAscii(buf, start, complete);
    const runEnd = this.nonAscii === complete ? complete : buf.lastIndexOf(0x0a, this.nonAscii) + 1;
    if (runEnd <= start) return;
    this.win = buf.toString("latin1", start, runEnd);
    this.winStart = start;
    this.winEnd = runEnd;
  }
}

/** The first byte >= 0x80 in buf[from, to), or `to`; probes of doubling size, so the cost follows the distance. */
function firstNonAscii(buf: Buffer, from: number, to: number): number {
  let lo = from;
  for (let size = ASCII_PROBE_BYTES; lo < to; size *= 2) {
    const hi = Math.min(to, lo + size);
    if (!isAscii(buf.subarray(lo, hi))) {
      for (let i = lo; i < hi; i++) if (buf[i] >= 0x80) return i;
    }
    lo = hi;
  }
  return to;
}
