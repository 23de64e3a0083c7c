// Reading GGUF files (llama.cpp, Ollama): header, metadata and tensor infos parsed by @huggingface/gguf, tensor
// data read with positioned reads (never the whole file) and dequantized to float32. Shapes here are GGUF's `ne`
// (fastest dimension first); the model loader reverses them into Hugging Face row-major shapes.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { gguf, GGUFValueType, type GGUFTypedMetadata, type MetadataValue } from "@huggingface/gguf";
import { MedtuneError } from "../core/index.ts";
import { dequantizeInto, ggmlBlock, ggmlTypeName, GGML_BLOCK } from "./gguf-quants.ts";

/** One tensor of a GGUF file. */
export interface GgufTensorInfo {
  name: string;
  /** GGUF dims, fastest first (`ne[0]` is the row length). */
  ne: number[];
  /** GGML type id (see GGML_TYPE). */
  type: number;
  /** Absolute byte offset of the data in the file. */
  offset: number;
  /** Byte length of the data, or undefined for a type this reader cannot size. */
  bytes?: number;
}

/** A typed metadata value as GGUF stores it (used to copy keys verbatim into a new file). */
export interface GgufTypedValue {
  value: MetadataValue;
  type: GGUFValueType;
  subType?: GGUFValueType;
}

/** A parsed GGUF file: metadata, tensor infos and where the data is. */
export interface GgufFile {
  path: string;
  version: number;
  fileBytes: number;
  /** Metadata with 64-bit integers converted to numbers where exact. */
  metadata: Record<string, MetadataValue>;
  /** Metadata with GGUF value types (header keys version/tensor_count/kv_count excluded). */
  typed: Record<string, GgufTypedValue>;
  tensors: GgufTensorInfo[];
  /** Byte offset of the (aligned) tensor data section. */
  dataOffset: number;
  alignment: number;
}

function toPlain(v: MetadataValue): MetadataValue {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return (v as MetadataValue[]).map(toPlain) as MetadataValue;
  return v;
}

/** Parses a GGUF file's header, metadata and tensor infos, checking every tensor lies inside the file. */
export async function readGgufFile(path: string): Promise<GgufFile> {
  let fileBytes: number;
  try {
    const fd = openSync(path, "r");
    fileBytes = fstatSync(fd).size;
    closeSync(fd);
  } catch (e) {
    throw new MedtuneError("gguf.missing", `cannot open GGUF file: ${(e as Error).message}`, { where: path, hint: "check the path" });
  }
  let parsed: Awaited<ReturnType<typeof gguf>> & { typedMetadata: GGUFTypedMetadata };
  try {
    parsed = await gguf(path, { allowLocalFile: true, typedMetadata: true });
  } catch (e) {
    const msg = (e as Error).message;
    const truncated = fileBytes < 24 || e instanceof RangeError || /chunk fetches|out of range|outside the bounds/i.test(msg);
    throw new MedtuneError(truncated ? "gguf.truncated" : "gguf.bad-file", `cannot parse GGUF header: ${msg}`, {
      where: path,
      hint: truncated ? "the file is truncated or still downloading; fetch it again" : "the file is not a GGUF model (or is corrupt)",
    });
  }
  const typed: Record<string, GgufTypedValue> = {};
  const metadata: Record<string, MetadataValue> = {};
  for (const [k, v] of Object.entries(parsed.typedMetadata as Record<string, GgufTypedValue>)) {
    if (k === "version" || k === "tensor_count" || k === "kv_count") continue;
    typed[k] = v;
    metadata[k] = toPlain(v.value);
  }
  const dataOffset = Number(parsed.tensorDataOffset);
  if ((parsed.tensorInfos.length > 0 && dataOffset > fileBytes) || parsed.tensorInfos.some((t) => !t.name || !Array.isArray(t.shape) || t.shape.some((d) => d === undefined))) {
    throw new MedtuneError("gguf.truncated", `cannot parse GGUF header: the header (${dataOffset} bytes) does not fit in the ${fileBytes}-byte file`, {
      where: path,
      hint: "the file is truncated or still downloading; fetch it again",
    });
  }
  const alignment = Number(metadata["general.alignment"] ?? 32);
  const tensors: GgufTensorInfo[] = parsed.tensorInfos.map((t) => {
    const ne = t.shape.map(Number);
    const type = Number(t.dtype);
    const info: GgufTensorInfo = { name: t.name, ne, type, offset: dataOffset + Number(t.offset) };
    const b = ggmlBlock(type);
    const n = ne.reduce((a, x) => a * x, 1);
    if (b) {
      if (ne[0] % b.blockSize !== 0) {
        throw new MedtuneError("gguf.bad-tensor", `tensor "${t.name}" has rows of ${ne[0]} elements, not a multiple of the ${b.name} block size ${b.blockSize}`, { where: path });
      }
      info.bytes = (n / b.blockSize) * b.typeSize;
      if (info.offset + info.bytes > fileBytes) {
        throw new MedtuneError("gguf.truncated", `tensor "${t.name}" (${b.name}, ${info.bytes} bytes at offset ${info.offset}) ends past the end of the file (${fileBytes} bytes)`, {
          where: path,
          hint: "the file is truncated or still downloading; fetch it again",
        });
      }
    }
    return info;
  });
  return { path, version: Number(parsed.metadata.version), fileBytes, metadata, typed, tensors, dataOffset, alignment };
}

const CHUNK_BYTES = 64 * 1024 * 1024;

/** Reads one tensor and dequantizes it to float32 (length = product of `ne`). */
export function readGgufTensor(file: GgufFile, tensor: GgufTensorInfo | string): Float32Array {
  const t = typeof tensor === "string" ? file.tensors.find((x) => x.name === tensor) : tensor;
  if (!t) throw new MedtuneError("gguf.missing-tensor", `tensor "${String(tensor)}" is not in the file`, { where: file.path });
  const b = ggmlBlock(t.type);
  if (!b || t.bytes === undefined) {
    throw new MedtuneError("gguf.unsupported-type", `tensor "${t.name}" has type ${ggmlTypeName(t.type)}, which cannot be dequantized`, {
      where: file.path,
      hint: `supported types: ${Object.keys(GGML_BLOCK).join(", ")}; re-quantize the model to one of them (e.g. Q4_K_M, Q8_0)`,
    });
  }
  const n = t.ne.reduce((a, x) => a * x, 1);
  const out = new Float32Array(n);
  const fd = openSync(file.path, "r");
  try {
    // Read whole blocks per chunk so a block never straddles two reads.
    const blocksPerChunk = Math.max(1, Math.floor(CHUNK_BYTES / b.typeSize));
    const nBlocks = n / b.blockSize;
    const buf = new Uint8Array(Math.min(nBlocks, blocksPerChunk) * b.typeSize);
    for (let blk = 0; blk < nBlocks; blk += blocksPerChunk) {
      const m = Math.min(blocksPerChunk, nBlocks - blk);
      const view = buf.subarray(0, m * b.typeSize);
      let done = 0;
      while (done < view.length) {
        const r = readSync(fd, view, done, view.length - done, t.offset + blk * b.typeSize + done);
        if (r === 0) throw new MedtuneError("gguf.truncated", `file ends inside tensor "${t.name}"`, { where: file.path, hint: "the file is truncated; fetch it again" });
        done += r;
      }
      dequantizeInto(out, blk * b.blockSize, t.type, view, 0, m * b.blockSize);
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** Reads the raw bytes of one tensor (for copying unchanged into another file). */
export function readGgufTensorBytes(file: GgufFile, t: GgufTensorInfo): Uint8Array {
  if (t.bytes === undefined) throw new MedtuneError("gguf.unsupported-type", `tensor "${t.name}" has type ${ggmlTypeName(t.type)}, whose size is unknown`, { where: file.path });
  const buf = new Uint8Array(t.bytes);
  const fd = openSync(file.path, "r");
  try {
    let done = 0;
    while (done < buf.length) {
      const r = readSync(fd, buf, done, Math.min(buf.length - done, 0x7fff0000), t.offset + done);
      if (r === 0) throw new MedtuneError("gguf.truncated", `file ends inside tensor "${t.name}"`, { where: file.path });
      done += r;
    }
  } finally {
    closeSync(fd);
  }
  return buf;
}

/** A metadata value as a number (64-bit values converted), or undefined when absent. */
export function metaNumber(file: GgufFile, key: string): number | undefined {
  const v = file.metadata[key];
  if (v === undefined) return undefined;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  throw new MedtuneError("gguf.bad-metadata", `metadata ${key} should be a number, got ${typeof v}`, { where: file.path });
}

/** A metadata value as a string, or undefined. */
export function metaString(file: GgufFile, key: string): string | undefined {
  const v = file.metadata[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new MedtuneError("gguf.bad-metadata", `metadata ${key} should be a string`, { where: file.path });
  return v;
}
