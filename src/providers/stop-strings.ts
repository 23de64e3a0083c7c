// Stop strings and streaming for token-by-token generation: text is released only when no stop string can still
// begin in it, and a trailing partial UTF-8 character (U+FFFD from a byte token) waits for its remaining bytes,
// as OpenAI-compatible servers (llama.cpp server, vLLM) do.

const REPLACEMENT = "\uFFFD";

/** What one update released. */
export interface StopUpdate {
  /** new text that is safe to show */
  delta: string;
  /** a stop string was found; generation should end */
  stopped: boolean;
}

/** Watches the growing decoded text of a generation for stop strings. */
export class StopMatcher {
  private readonly stops: string[];
  private readonly maxStop: number;
  private emitted = "";
  private searchFrom = 0;
  private done = false;

  constructor(stops: readonly string[] = []) {
    this.stops = stops.filter((s) => s.length > 0);
    this.maxStop = Math.max(0, ...this.stops.map((s) => s.length));
  }

  /** The text released so far (the final text once stopped or finished). */
  get text(): string {
    return this.emitted;
  }

  /** Feeds the whole decoded text so far; `isFinal` releases everything left (generation ended). */
  update(fullText: string, isFinal = false): StopUpdate {
    if (this.done) return { delta: "", stopped: true };
    const from = Math.max(0, this.searchFrom - this.maxStop + 1);
    let at = -1;
    for (const s of this.stops) {
      const k = fullText.indexOf(s, from);
      if (k >= 0 && (at < 0 || k < at)) at = k;
    }
    this.searchFrom = fullText.length;
    if (at >= 0) {
      this.done = true;
      return { delta: this.release(fullText.slice(0, at)), stopped: true };
    }
    if (isFinal) {
      this.done = true;
      return { delta: this.release(fullText), stopped: false };
    }
    return { delta: this.release(fullText.slice(0, fullText.length - this.holdBack(fullText))), stopped: false };
  }

  private release(upTo: string): string {
    if (upTo.length <= this.emitted.length) return "";
    const delta = upTo.slice(this.emitted.length);
    this.emitted = upTo;
    return delta;
  }

  /** Characters at the end that must wait: a partial UTF-8 character, or a suffix that begins a stop string. */
  private holdBack(text: string): number {
    let n = 0;
    while (n < text.length && text[text.length - 1 - n] === REPLACEMENT) n++;
    if (n > 0) return n;
    for (let len = Math.min(this.maxStop - 1, text.length); len > 0; len--) {
      const tail = text.slice(text.length - len);
      if (this.stops.some((s) => s.startsWith(tail))) return len;
    }
    return 0;
  }
}
