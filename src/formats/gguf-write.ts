// Writing GGUF v3 files (ggml docs/gguf.md): magic, version, counts, typed metadata key/values (all scalar types,
// strings, arrays), tensor infos with offsets aligned to `general.alignment` (32 unless set), then the aligned
// tensor data. Tensor bytes are produced one tensor at a time, so a large model is never held twice in memory.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { GGUFValueType } from "@huggingface/gguf";
import { MedtuneError } from "../core/index.ts";
import type { GgufTypedValue } from "./gguf-read.ts";

/** A tensor to write: GGUF dims (fastest first), GGML type id, byte size, and a producer of its bytes. */
export interface GgufWriteTensor {
  name: string;
  ne: number[];
  type: number;
  bytes: number;
  /** Called once, when the tensor's turn comes; must return exactly `bytes` bytes. */
  data: () => Uint8Array;
}

class ByteSink {
  buf = new Uint8Array(1 << 16);
  len = 0;
  private dv = new DataView(this.buf.buffer);
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
  u8(v: number): void { this.ensure(1); this.dv.setUint8(this.len, v); this.len += 1; }
  i8(v: number): void { this.ensure(1); this.dv.setInt8(this.len, v); this.len += 1; }
  u16(v: number): void { this.ensure(2); this.dv.setUint16(this.len, v, true); this.len += 2; }
  i16(v: number): void { this.ensure(2); this.dv.setInt16(this.len, v, true); this.len += 2; }
  u32(v: number): void { this.ensure(4); this.dv.setUint32(this.len, v, true); this.len += 4; }
  i32(v: number): void { this.ensure(4); this.dv.setInt32(this.len, v, true); this.len += 4; }
  f32(v: number): void { this.ensure(4); this.dv.setFloat32(this.len, v, true); this.len += 4; }
  f64(v: number): void { this.ensure(8); this.dv.setFloat64(this.len, v, true); this.len += 8; }
  u64(v: number | bigint): void { this.ensure(8); this.dv.setBigUint64(this.len, BigInt(v), true); this.len += 8; }
  i64(v: number | bigint): void { this.ensure(8); this.dv.setBigInt64(this.len, BigInt(v), true); this.len += 8; }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; }
  str(s: string): void { const b = new TextEncoder().encode(s); this.u64(b.length); this.bytes(b); }
  pad(alignment: number): void { const n = (alignment - (this.len % alignment)) % alignment; this.ensure(n); this.buf.fill(0, this.len, this.len + n); this.len += n; }
}

function writeScalar(s: ByteSink, type: GGUFValueType, v: unknown, key: string): void {
  const num = (): number => {
    if (typeof v === "number") return v;
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "boolean") return v ? 1 : 0;
    throw new MedtuneError("gguf.bad-metadata", `metadata ${key}: expected a number, got ${typeof v}`);
  };
  switch (type) {
    case GGUFValueType.UINT8: return s.u8(num());
    case GGUFValueType.INT8: return s.i8(num());
    case GGUFValueType.UINT16: return s.u16(num());
    case GGUFValueType.INT16: return s.i16(num());
    case GGUFValueType.UINT32: return s.u32(num());
    case GGUFValueType.INT32: return s.i32(num());
    case GGUFValueType.FLOAT32: return s.f32(num());
    case GGUFValueType.FLOAT64: return s.f64(num());
    case GGUFValueType.UINT64: return s.u64(typeof v === "bigint" ? v : BigInt(num()));
    case GGUFValueType.INT64: return s.i64(typeof v === "bigint" ? v : BigInt(num()));
    case GGUFValueType.BOOL: return s.u8(v ? 1 : 0);
    case GGUFValueType.STRING:
      if (typeof v !== "string") throw new MedtuneError("gguf.bad-metadata", `metadata ${key}: expected a string, got ${typeof v}`);
      return s.str(v);
    default:
      throw new MedtuneError("gguf.bad-metadata", `metadata ${key}: unsupported value type ${type}`);
  }
}

function writeValue(s: ByteSink, key: string, tv: GgufTypedValue): void {
  s.u32(tv.type);
  if (tv.type !== GGUFValueType.ARRAY) return writeScalar(s, tv.type, tv.value, key);
  if (!Array.isArray(tv.value) || tv.subType === undefined || tv.subType === GGUFValueType.ARRAY) {
    throw new MedtuneError("gguf.bad-metadata", `metadata ${key}: arrays need a scalar subType and an array value`);
  }
  s.u32(tv.subType);
  s.u64(tv.value.length);
  for (const x of tv.value as unknown[]) writeScalar(s, tv.subType, x, key);
}

/** Infers a GGUF typed value from a JS value: string, boolean, integer (UINT32/INT32), float (FLOAT32), arrays of those. */
export function ggufValue(v: string | number | boolean | bigint | string[] | number[] | boolean[]): GgufTypedValue {
  const scalarType = (x: unknown): GGUFValueType => {
    if (typeof x === "string") return GGUFValueType.STRING;
    if (typeof x === "boolean") return GGUFValueType.BOOL;
    if (typeof x === "bigint") return GGUFValueType.UINT64;
    if (typeof x === "number") return Number.isInteger(x) ? (x >= 0 && x <= 0xffffffff ? GGUFValueType.UINT32 : GGUFValueType.INT32) : GGUFValueType.FLOAT32;
    throw new MedtuneError("gguf.bad-metadata", `cannot store ${typeof x} in GGUF metadata`);
  };
  if (Array.isArray(v)) {
    let sub = v.length ? scalarType(v[0]) : GGUFValueType.UINT32;
    if (sub === GGUFValueType.UINT32 && (v as unknown[]).some((x) => typeof x === "number" && !Number.isInteger(x))) sub = GGUFValueType.FLOAT32;
    if (sub === GGUFValueType.UINT32 && (v as unknown[]).some((x) => typeof x === "number" && x < 0)) sub = GGUFValueType.INT32;
    return { value: v, type: GGUFValueType.ARRAY, subType: sub };
  }
  return { value: v, type: scalarType(v) };
}

/** Writes a GGUF v3 file atomically (temp file + rename). Returns the file size in bytes. */
export function writeGguf(path: string, metadata: Map<string, GgufTypedValue>, tensors: GgufWriteTensor[], opts: { alignment?: number } = {}): number {
  const alignment = opts.alignment ?? 32;
  const kv = new Map(metadata);
  if (alignment !== 32) kv.set("general.alignment", { value: alignment, type: GGUFValueType.UINT32 });
  else kv.delete("general.alignment");
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new MedtuneError("gguf.duplicate-tensor", `tensor "${t.name}" is listed twice`, { where: path });
    seen.add(t.name);
  }
  const h = new ByteSink();
  h.bytes(new TextEncoder().encode("GGUF"));
  h.u32(3);
  h.u64(tensors.length);
  h.u64(kv.size);
  for (const [key, tv] of kv) {
    h.str(key);
    writeValue(h, key, tv);
  }
  let off = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    h.str(t.name);
    h.u32(t.ne.length);
    for (const d of t.ne) h.u64(d);
    h.u32(t.type);
    h.u64(off);
    offsets.push(off);
    off += t.bytes;
    off += (alignment - (off % alignment)) % alignment;
  }
  h.pad(alignment);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  const fd = openSync(tmp, "w");
  let total = 0;
  const put = (b: Uint8Array): void => {
    let done = 0;
    while (done < b.length) done += writeSync(fd, b, done, Math.min(b.length - done, 0x40000000));
    total += b.length;
  };
  try {
    put(h.buf.subarray(0, h.len));
    const dataStart = total;
    tensors.forEach((t, i) => {
      const bytes = t.data();
      if (bytes.length !== t.bytes) {
        throw new MedtuneError("gguf.bad-tensor", `tensor "${t.name}" produced ${bytes.length} bytes, expected ${t.bytes}`, { where: path });
      }
      put(bytes);
      const end = offsets[i] + t.bytes;
      const padded = end + ((alignment - (end % alignment)) % alignment);
      if (padded > end) put(new Uint8Array(padded - end));
      if (total - dataStart !== padded) throw new MedtuneError("gguf.internal", `tensor "${t.name}" data misaligned`, { where: path });
    });
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  renameSync(tmp, path);
  return total;
}
