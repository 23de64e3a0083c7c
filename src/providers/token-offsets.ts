// Token texts and their start offsets (code points) in the text they were tokenized from, for token scores and
// echo/logprobs: each piece is decoded in context (so SentencePiece's leading space is right), a byte token that ends
// inside a UTF-8 character waits for the rest of it, and the texts are slices of the text, so they concatenate back.
// Shared by the local engine and llama.cpp providers, which differ only in how they decode a piece.

/** How a provider spells tokens: special ones alone, a run [from, to) of ordinary ones in context. */
export interface PieceDecoder {
  isSpecial(i: number): boolean;
  /** The text of special token i. */
  special(i: number): string;
  /** The text of tokens [from, to) decoded after the tokens before `from` (the model's context for the piece). */
  run(from: number, to: number): string;
}

/** Texts and start offsets of `text` tokenized as `n` tokens, the first `added` of which (BOS) span no text. */
export function alignTokens(n: number, added: number, text: string, d: PieceDecoder): { strings: string[]; offsets: number[] } {
  const cps = Array.from(text);
  const offsets: number[] = [];
  const strings: string[] = [];
  for (let i = 0; i < added; i++) {
    offsets.push(0);
    strings.push(d.special(i));
  }
  let segStart = added;
  let segOffset = 0;
  for (let i = added; i < n; i++) {
    offsets.push(segOffset);
    const special = d.isSpecial(i);
    const piece = special ? d.special(i) : d.run(segStart, i + 1);
    if (!special && (piece.length === 0 || piece.endsWith("\uFFFD")) && i + 1 < n) continue;
    const end = Math.min(cps.length, Math.max(segOffset, segOffset + Array.from(piece).length));
    for (let k = segStart; k <= i; k++) offsets[k] = k === segStart ? segOffset : end;
    segStart = i + 1;
    segOffset = end;
  }
  for (let i = added; i < n; i++) {
    const end = i + 1 < n ? offsets[i + 1] : cps.length;
    strings.push(cps.slice(offsets[i], Math.max(offsets[i], end)).join(""));
  }
  return { strings, offsets };
}
