import { parseDocument } from "yaml";

export type SpecReading = { ok: true; spec: Record<string, unknown> } | { ok: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return typeof value === "string" ? "plain text" : `a ${typeof value}`;
}

/**
 * A model hands a spec over as an object or as YAML/JSON text (JSON is YAML); both become the
 * object that validation checks. Anything else is a problem the model is told about, never a crash.
 */
export function readSpecValue(value: unknown): SpecReading {
  if (isRecord(value)) return { ok: true, spec: value };
  if (typeof value !== "string") {
    return {
      ok: false,
      problem: `the spec must be an object { name, resources } or YAML/JSON text of one; got ${kindOf(value)}`,
    };
  }
  const document = parseDocument(value, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const position = first.linePos?.[0];
    const where = position ? ` at line ${position.line}, column ${position.col}` : "";
    const message = first.message.split("\n")[0] ?? first.message;
    return { ok: false, problem: `the spec text is not valid YAML or JSON${where}: ${message}` };
  }
  let parsed: unknown;
  try {
    parsed = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return {
      ok: false,
      problem: `the spec text cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!isRecord(parsed)) {
    return {
      ok: false,
      problem: `the spec text must hold a mapping with name and resources; it holds ${kindOf(parsed)}`,
    };
  }
  return { ok: true, spec: parsed };
}

/** One part of the goal the model says it did not build, and why. */
export interface LeftOut {
  element: string;
  why: string;
}

/** The model's `leftOut` list, keeping the well-formed entries (a bare string is an element without a why). */
function readLeftOut(value: unknown): LeftOut[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): LeftOut[] => {
    if (typeof entry === "string" && entry.trim() !== "") return [{ element: entry.trim(), why: "" }];
    if (!isRecord(entry) || typeof entry["element"] !== "string" || entry["element"].trim() === "") return [];
    return [
      { element: entry["element"].trim(), why: typeof entry["why"] === "string" ? entry["why"].trim() : "" },
    ];
  });
}

/**
 * `submit_deployment` input: `{ spec, notes?, leftOut? }`. A model that passes the spec itself as the input
 * (`{ name, resources }`) is understood too, since nothing else could be meant.
 */
export function readSubmission(input: unknown): SpecReading & { notes?: string; leftOut?: LeftOut[] } {
  if (!isRecord(input))
    return { ok: false, problem: `submit_deployment takes { spec }; got ${kindOf(input)}` };
  const notes =
    typeof input["notes"] === "string" && input["notes"].trim() !== "" ? input["notes"].trim() : undefined;
  const leftOut = readLeftOut(input["leftOut"]);
  const withNotes = <T extends SpecReading>(reading: T) => ({
    ...reading,
    ...(notes === undefined ? {} : { notes }),
    ...(leftOut.length === 0 ? {} : { leftOut }),
  });
  if ("spec" in input) return withNotes(readSpecValue(input["spec"]));
  if ("resources" in input) {
    const { notes: _notes, leftOut: _leftOut, ...spec } = input;
    return withNotes({ ok: true, spec });
  }
  return { ok: false, problem: "submit_deployment needs { spec: { name, resources } }; the spec is missing" };
}
