// safetensors files (Hugging Face): an 8-byte little-endian header length, a JSON header naming each tensor's
// dtype, shape and byte range, then the raw data. Tensors are read one at a time with positioned reads (never the
// whole file), converted to float32 (F32/F16/BF16/F64) or int32 (integer dtypes), and written atomically.
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { MedtuneError } from "../core/index.ts";
import { decodeBf16, decodeF16, encodeBf16, encodeF16, IS_LITTLE_ENDIAN } from "./half.ts";

/** One tensor's entry in a safetensors header. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** Absolute byte offset of the data in the file. */
  start: number;
  /** Byte length of the data. */
  bytes: number;
}

/** A parsed safetensors header. */
export interface SafetensorsHeader {
  path: string;
  fileBytes: number;
  /** Where the data section starts (8 + header length). */
  dataStart: number;
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** A tensor converted to float32. */
export interface SafetensorsTensor {
  /** The dtype stored in the file (F32, F16, BF16, F64). */
  dtype: string;
  shape: number[];
  data: Float32Array;
}

/** An integer tensor converted to int32. */
export interface SafetensorsIntTensor {
  dtype: string;
  shape: number[];
  data: Int32Array;
}

/** Which tensors to read: exact names and/or a predicate. */
export interface SafetensorsReadOptions {
  names?: Iterable<string>;
  filter?: (name: string, entry: SafetensorsEntry) => boolean;
}

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1, U16: 2, U32: 4, U64: 8,
  F8_E4M3: 1, F8_E5M2: 1,
};

const FLOAT_DTYPES = new Set(["F32", "F16", "BF16", "F64"]);
const INT_DTYPES = new Set(["I64", "I32", "I16", "I8", "U8", "BOOL", "U16", "U32"]);

/** True for the dtypes `readSafetensors` converts to float32. */
export function isFloatDtype(dtype: string): boolean {
  return FLOAT_DTYPES.has(dtype);
}

/** True for the dtypes `readSafetensorsInts` converts to int32. */
export function isIntDtype(dtype: string): boolean {
  return INT_DTYPES.has(dtype);
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024 * 1024;

function readExactly(fd: number, buf: Uint8Array, position: number, path: string, what: string): void {
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, Math.min(buf.length - done, 0x7fff0000), position + done);
    if (n === 0) {
      throw new MedtuneError("safetensors.truncated", `file ends while reading ${what} (needed ${buf.length} bytes at offset ${position}, got ${done})`, {
        where: path,
        hint: "the file is truncated or still downloading; fetch it again",
      });
    }
    done += n;
  }
}

/** Reads and validates the JSON header of a safetensors file. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw new MedtuneError("safetensors.missing", `cannot open safetensors file: ${(e as Error).message}`, { where: path, hint: "check the path" });
  }
  try {
    return readHeaderFd(fd, path);
  } finally {
    closeSync(fd);
  }
}

function readHeaderFd(fd: number, path: string): SafetensorsHeader {
  const fileBytes = fstatSync(fd).size;
  if (fileBytes < 8) throw new MedtuneError("safetensors.truncated", `file is ${fileBytes} bytes, too short for a safetensors header`, { where: path, hint: "the file is truncated or not safetensors" });
  const lenBuf = new Uint8Array(8);
  readExactly(fd, lenBuf, 0, path, "the header length");
  const headerLen = Number(new DataView(lenBuf.buffer).getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES || headerLen < 2) {
    throw new MedtuneError("safetensors.bad-header", `header length ${headerLen} is not plausible`, { where: path, hint: "the file is not a safetensors file (or is corrupt)" });
  }
  if (8 + headerLen > fileBytes) {
    throw new MedtuneError("safetensors.truncated", `header needs ${headerLen} bytes but the file has ${fileBytes - 8} after the length`, { where: path, hint: "the file is truncated; fetch it again" });
  }
  const hb = new Uint8Array(headerLen);
  readExactly(fd, hb, 8, path, "the header");
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(hb)) as Record<string, unknown>;
  } catch (e) {
    throw new MedtuneError("safetensors.bad-header", `header is not valid JSON: ${(e as Error).message}`, { where: path, hint: "the file is corrupt or not safetensors" });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new MedtuneError("safetensors.bad-header", "header is not a JSON object", { where: path });
  }
  const dataStart = 8 + headerLen;
  const dataBytes = fileBytes - dataStart;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(json)) {
    if (name === "__metadata__") {
      metadata = (v ?? {}) as Record<string, string>;
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e?.dtype !== "string" || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) {
      throw new MedtuneError("safetensors.bad-header", `tensor "${name}" has a malformed header entry`, { where: path });
    }
    const shape = e.shape.map(Number);
    const [begin, end] = e.data_offsets.map(Number);
    const width = SAFETENSORS_DTYPE_BYTES[e.dtype];
    if (width === undefined) {
      throw new MedtuneError("safetensors.dtype", `tensor "${name}" has unknown dtype ${e.dtype}`, { where: path, hint: "supported: F32, F16, BF16, F64 and integer dtypes" });
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end >= begin) || end - begin !== n * width || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new MedtuneError("safetensors.bad-header", `tensor "${name}" (${e.dtype} [${shape}]) has byte range [${begin}, ${end}) that does not match its shape`, { where: path });
    }
    if (end > dataBytes) {
      throw new MedtuneError("safetensors.truncated", `tensor "${name}" ends at byte ${dataStart + end} but the file has ${fileBytes} bytes`, {
        where: path,
        hint: "the file is truncated or still downloading; fetch it again",
      });
    }
    tensors.set(name, { dtype: e.dtype, shape, start: dataStart + begin, bytes: end - begin });
  }
  return { path, fileBytes, dataStart, tensors, metadata };
}

function selectNames(header: SafetensorsHeader, opts: SafetensorsReadOptions): string[] {
  let names: string[];
  if (opts.names) {
    names = [...opts.names];
    for (const n of names) {
      if (!header.tensors.has(n)) throw new MedtuneError("safetensors.missing-tensor", `tensor "${n}" is not in the file`, { where: header.path, hint: "check the tensor name (Hugging Face naming)" });
    }
  } else names = [...header.tensors.keys()];
  if (opts.filter) names = names.filter((n) => opts.filter!(n, header.tensors.get(n)!));
  return names;
}

/** Reads one tensor's data as float32 from an open file descriptor. */
export function readSafetensorsEntry(fd: number, path: string, name: string, e: SafetensorsEntry): Float32Array {
  if (!isFloatDtype(e.dtype)) {
    const hint = isIntDtype(e.dtype) ? "read integer tensors with readSafetensorsInts" : "convert the checkpoint to F32, F16 or BF16";
    throw new MedtuneError("safetensors.dtype", `tensor "${name}" has dtype ${e.dtype}, which cannot be read as float32`, { where: path, hint });
  }
  const n = e.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  if (n === 0) return out;
  if (e.dtype === "F32" && IS_LITTLE_ENDIAN) {
    readExactly(fd, new Uint8Array(out.buffer), e.start, path, `tensor "${name}"`);
    return out;
  }
  const width = SAFETENSORS_DTYPE_BYTES[e.dtype];
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / width));
  const buf = new Uint8Array(Math.min(n, perChunk) * width);
  for (let i0 = 0; i0 < n; i0 += perChunk) {
    const m = Math.min(perChunk, n - i0);
    const view = buf.subarray(0, m * width);
    readExactly(fd, view, e.start + i0 * width, path, `tensor "${name}"`);
    if (e.dtype === "F16") decodeF16(out, i0, view, 0, m);
    else if (e.dtype === "BF16") decodeBf16(out, i0, view, 0, m);
    else if (e.dtype === "F32") {
      const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
      for (let i = 0; i < m; i++) out[i0 + i] = dv.getFloat32(4 * i, true);
    } else {
      const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
      for (let i = 0; i < m; i++) out[i0 + i] = dv.getFloat64(8 * i, true);
    }
  }
  return out;
}

/** Reads float tensors (F32/F16/BF16/F64) as float32; an integer tensor that is selected is an error. */
export function readSafetensors(path: string, opts: SafetensorsReadOptions = {}): Map<string, SafetensorsTensor> {
  const fd = openOrFail(path);
  try {
    const header = readHeaderFd(fd, path);
    const out = new Map<string, SafetensorsTensor>();
    for (const name of selectNames(header, opts)) {
      const e = header.tensors.get(name)!;
      out.set(name, { dtype: e.dtype, shape: e.shape, data: readSafetensorsEntry(fd, path, name, e) });
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** Reads integer tensors (I64/I32/I16/I8/U8/U16/U32/BOOL) as int32; values outside int32 are an error. */
export function readSafetensorsInts(path: string, opts: SafetensorsReadOptions = {}): Map<string, SafetensorsIntTensor> {
  const fd = openOrFail(path);
  try {
    const header = readHeaderFd(fd, path);
    const out = new Map<string, SafetensorsIntTensor>();
    for (const name of selectNames(header, opts)) {
      const e = header.tensors.get(name)!;
      if (!isIntDtype(e.dtype)) {
        throw new MedtuneError("safetensors.dtype", `tensor "${name}" has dtype ${e.dtype}, not an integer dtype`, { where: path, hint: "read float tensors with readSafetensors" });
      }
      const buf = new Uint8Array(e.bytes);
      readExactly(fd, buf, e.start, path, `tensor "${name}"`);
      const dv = new DataView(buf.buffer);
      const n = e.shape.reduce((a, b) => a * b, 1);
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let v: number;
        switch (e.dtype) {
          case "I64": {
            const b = dv.getBigInt64(8 * i, true);
            if (b > 2147483647n || b < -2147483648n) throw new MedtuneError("safetensors.range", `tensor "${name}" element ${i} (${b}) does not fit in int32`, { where: path });
            v = Number(b);
            break;
          }
          case "U32": {
            const u = dv.getUint32(4 * i, true);
            if (u > 2147483647) throw new MedtuneError("safetensors.range", `tensor "${name}" element ${i} (${u}) does not fit in int32`, { where: path });
            v = u;
            break;
          }
          case "I32": v = dv.getInt32(4 * i, true); break;
          case "I16": v = dv.getInt16(2 * i, true); break;
          case "U16": v = dv.getUint16(2 * i, true); break;
          case "I8": v = dv.getInt8(i); break;
          default: v = dv.getUint8(i); // U8, BOOL
        }
        data[i] = v;
      }
      out.set(name, { dtype: e.dtype, shape: e.shape, data });
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function openOrFail(path: string): number {
  try {
    return openSync(path, "r");
  } catch (e) {
    throw new MedtuneError("safetensors.missing", `cannot open safetensors file: ${(e as Error).message}`, { where: path, hint: "check the path" });
  }
}

/** A tensor to write: float32 data in row-major order. */
export interface SafetensorsWriteTensor {
  shape: number[];
  data: Float32Array;
}

/** Output dtype of `writeSafetensors` (one for all tensors, or chosen per tensor). */
export type SafetensorsOutDtype = "F32" | "F16" | "BF16";

/** Options for writing. */
export interface SafetensorsWriteOptions {
  /** String metadata stored under `__metadata__` (Hugging Face writes {"format": "pt"}). */
  metadata?: Record<string, string>;
  /** Output dtype (default F32), or a function choosing it per tensor. */
  dtype?: SafetensorsOutDtype | ((name: string, t: SafetensorsWriteTensor) => SafetensorsOutDtype);
}

/** Builds the header bytes (length prefix + JSON padded with spaces to 8-byte alignment). */
function buildHeader(entries: Array<{ name: string; dtype: string; shape: number[]; bytes: number }>, metadata: Record<string, string>): Uint8Array {
  const obj: Record<string, unknown> = {};
  if (Object.keys(metadata).length) obj.__metadata__ = metadata;
  let off = 0;
  for (const e of entries) {
    obj[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes] };
    off += e.bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(obj));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded).fill(0x20);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  return out;
}

function encodeTensor(t: SafetensorsWriteTensor, dtype: SafetensorsOutDtype): Uint8Array {
  if (dtype === "F16") return encodeF16(t.data);
  if (dtype === "BF16") return encodeBf16(t.data);
  if (IS_LITTLE_ENDIAN) return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(t.data.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < t.data.length; i++) dv.setFloat32(4 * i, t.data[i], true);
  return out;
}

/** Writes tensors to a safetensors file atomically (temp file + rename), streaming one tensor at a time. */
export function writeSafetensors(path: string, tensors: Map<string, SafetensorsWriteTensor> | Iterable<[string, SafetensorsWriteTensor]>, opts: SafetensorsWriteOptions = {}): void {
  const list = [...tensors];
  const pick = typeof opts.dtype === "function" ? opts.dtype : () => (opts.dtype as SafetensorsOutDtype | undefined) ?? "F32";
  const entries = list.map(([name, t]) => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new MedtuneError("safetensors.shape", `tensor "${name}" has shape [${t.shape}] (${n} elements) but ${t.data.length} values`, { where: path });
    }
    const dtype = pick(name, t);
    return { name, dtype, shape: t.shape, bytes: n * SAFETENSORS_DTYPE_BYTES[dtype], t };
  });
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    writeAll(fd, buildHeader(entries, opts.metadata ?? {}));
    for (const e of entries) writeAll(fd, encodeTensor(e.t, e.dtype as SafetensorsOutDtype));
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, path);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 0x40000000));
}
