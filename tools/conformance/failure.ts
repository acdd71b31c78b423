/** A check that did not hold; its message says what was expected and what came. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConformanceFailure";
  }
}

export function fail(message: string): never {
  throw new ConformanceFailure(message);
}

/** A value shortened for a one-line report. */
export function summarize(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "undefined" : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
