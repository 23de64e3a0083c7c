// Strict UTF-8 decoding for the line and record readers: exactly what `new TextDecoder("utf-8", { fatal: true }).decode()`
// returns (a leading byte-order mark dropped; undefined where it would throw), but quicker: ASCII is copied as
// Latin-1 and other valid text is decoded by Buffer after a SIMD validity check.
import { isAscii, isUtf8 } from "node:buffer";

const strict = new TextDecoder("utf-8", { fatal: true });

/** The text of buf[start, end) as strict UTF-8, or undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(buf: Buffer, start: number, end: number): string | undefined {
  const bytes = buf.subarray(start, end);
  if (isAscii(bytes)) return buf.toString("latin1", start, end);
  if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) {
    try {
      return strict.decode(bytes); // drops the byte-order mark
    } catch {
      return undefined;
    }
  }
  return isUtf8(bytes) ? buf.toString("utf8", start, end) : undefined;
}
