// Content hashing: SHA-256 for provenance (files, records, data cards) and fast 32-bit hashes for sketches.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/** SHA-256 hex digest of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** SHA-256 hex digest of a file, read in 1 MiB pieces (any size, constant memory). */
export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  // 1 MiB reads into one buffer: a stream's 64 KiB chunks cost more in callbacks than the hashing itself
  const file = await open(path, "r");
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return h.digest("hex");
}

/** 32-bit FNV-1a over UTF-16 code units, with an optional seed. */
export function fnv1a32(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's 32-bit finalizer: spreads the bits of an integer hash. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 52-bit hash of a string as a JS number (two seeded FNV-1a passes), for exact-duplicate sets. */
export function hash52(s: string): number {
  const a = fmix32(fnv1a32(s));
  const b = fmix32(fnv1a32(s, 0x9747b28c)) & 0xfffff;
  return b * 4294967296 + a;
}
