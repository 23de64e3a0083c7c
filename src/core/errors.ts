// Errors with a code, a place and a hint: user mistakes print as one line (what, where, how to fix).
// Everything that can go wrong because of input or configuration throws a MedtuneError.

/** An error caused by the user's input or configuration, printed as one line without a stack. */
export class MedtuneError extends Error {
  readonly code: string;
  readonly where?: string;
  readonly hint?: string;
  constructor(code: string, message: string, opts: { where?: string; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "MedtuneError";
    this.code = code;
    this.where = opts.where;
    this.hint = opts.hint;
  }
  /** The one-line form: `what (where): how to fix`. */
  oneLine(): string {
    const where = this.where ? ` (${this.where})` : "";
    const hint = this.hint ? `: ${this.hint}` : "";
    return `${this.message}${where}${hint} [${this.code}]`;
  }
}

/** Throws a MedtuneError; a shorthand for validation code. */
export function fail(code: string, message: string, where?: string, hint?: string): never {
  throw new MedtuneError(code, message, { where, hint });
}

/** True when a value is a MedtuneError (also across module copies). */
export function isMedtuneError(e: unknown): e is MedtuneError {
  return e instanceof MedtuneError || (typeof e === "object" && e !== null && (e as { name?: string }).name === "MedtuneError");
}

/** The message of any thrown value. */
export function errorMessage(e: unknown): string {
  if (isMedtuneError(e)) return e.oneLine();
  if (e instanceof Error) return e.message;
  return String(e);
}
