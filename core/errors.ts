/**
 * Every error of ours carries this mark. `Symbol.for` makes it one symbol per process, so an error
 * thrown by a second copy of this module (a bundled provider, a linked package) is still recognised,
 * where `instanceof` would say no.
 */
export const IAC_ERROR = Symbol.for("mcp-iac.error");

export interface IacErrorOptions {
  exitCode?: number;
  hint?: string;
  cause?: unknown;
}

/** What a subclass throws: one code, or a family of codes (`/^MEMORY_/`). */
export type CodeMatch = string | RegExp;

/** A class of ours, as `isInstance` sees it: its `codes` say which errors belong to it. */
type IacErrorClass = (abstract new (...args: never[]) => IacError) & { readonly codes?: CodeMatch };

/**
 * One base error for what the user did or must do. The CLI prints `message` (and `hint`) without a
 * stack and exits with `exitCode`; anything else that escapes is a bug and keeps its stack.
 *
 * A class recognises its own errors one way: the brand, then the code (`static codes`), never the
 * prototype or the name, so duplicated modules and serialised-then-rethrown errors still match.
 */
export class IacError extends Error {
  readonly [IAC_ERROR] = true;
  readonly code: string;
  readonly exitCode: number;
  readonly hint: string | undefined;

  /** The base class matches every code; a subclass narrows this to its own. */
  static readonly codes: CodeMatch | undefined = undefined;

  constructor(code: string, message: string, options: IacErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "IacError";
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }

  static isInstance<T extends IacErrorClass>(this: T, value: unknown): value is InstanceType<T> {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass called on; its codes decide.
    return isIacError(value, this.codes);
  }
}

/** The brand, and when given, a code that `match` accepts. */
export function isIacError(value: unknown, match?: CodeMatch): value is IacError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as { [IAC_ERROR]?: unknown; code?: unknown };
  if (candidate[IAC_ERROR] !== true || typeof candidate.code !== "string") return false;
  if (match === undefined) return true;
  return typeof match === "string" ? candidate.code === match : match.test(candidate.code);
}

/** A name or text from the user's input, echoed cut short: a 5 MB name must not become a 5 MB message. */
export function cut(text: string, limit = 120): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} characters)`;
}
