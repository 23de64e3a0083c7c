// BPE merges recovered from a SentencePiece vocabulary and its scores, the rule transformers uses to turn a
// slow Llama tokenizer (or a GGUF vocabulary) into tokenizer.json (convert_slow_tokenizer `generate_merges`):
// every split of a piece into two in-vocabulary halves is a merge, ranked by the piece's score, highest first.

/** Merges ("left right") for pieces in id order with their scores. */
export function spmMerges(pieces: string[], scores: ArrayLike<number>): string[] {
  const vocab = new Map<string, number>();
  pieces.forEach((p, i) => vocab.set(p, i)); // later duplicates win, as a Python dict comprehension
  const all: Array<{ left: string; right: string; score: number }> = [];
  const seen = new Set<string>();
  for (let id = 0; id < pieces.length; id++) {
    const piece = pieces[id];
    if (seen.has(piece)) continue; // a dict iterates each key once, at its first position
    seen.add(piece);
    const score = scores[vocab.get(piece)!];
    const cps = Array.from(piece);
    const local: Array<{ left: string; right: string; score: number }> = [];
    for (let k = 1; k < cps.length; k++) {
      const left = cps.slice(0, k).join("");
      const right = cps.slice(k).join("");
      if (vocab.has(left) && vocab.has(right)) local.push({ left, right, score });
    }
    local.sort((a, b) => vocab.get(a.left)! - vocab.get(b.left)! || vocab.get(a.right)! - vocab.get(b.right)!);
    for (const m of local) all.push(m);
  }
  all.sort((a, b) => b.score - a.score); // stable: equal scores keep their order, like Python's sorted(reverse=True)
  return all.map((m) => `${m.left} ${m.right}`);
}
