// A cheap content fingerprint of model files for cache keys: sha256 over the size and three 1 MiB windows (start,
// middle, end). Retuned or requantized weights change it; copying the file to another machine does not; a
// multi-gigabyte GGUF is never read in full.
import { openSync, readSync, closeSync, fstatSync } from "node:fs";
import { createHash } from "node:crypto";

const WINDOW = 1 << 20;

/** Fingerprint of one file: size plus sampled content. */
export function fileFingerprint(path: string): string {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const h = createHash("sha256").update(`size:${size};`);
    const buf = Buffer.alloc(Math.max(1, Math.min(WINDOW, size)));
    const windows: Array<[number, number]> = size <= 3 * WINDOW ? [[0, size]] : [[0, WINDOW], [Math.floor(size / 2) - WINDOW / 2, WINDOW], [size - WINDOW, WINDOW]];
    for (const [start, len] of windows) {
      for (let done = 0; done < len; ) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, len - done), start + done);
        if (n <= 0) break;
        h.update(buf.subarray(0, n));
        done += n;
      }
    }
    return h.digest("hex");
  } finally {
    closeSync(fd);
  }
}
