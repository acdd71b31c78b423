import { isUnknown } from "./unknowns.ts";

/**
 * Property paths for conditions: names joined by dots, `[n]` for a list item, `[*]` for every item
 * of a list (or every value of a map), and `["odd.key"]` for a key with dots or brackets in it:
 * `ingress[*].cidr`, `servers[0]`, `labels["app.kubernetes.io/name"]`.
 */
export type PathSegment = { key: string } | { index: number } | { each: true };

export interface CompiledPath {
  text: string;
  segments: PathSegment[];
  /** Holds `[*]`: the path may stand for any number of values. */
  wildcard: boolean;
}

/** A value found at a path, with the concrete path (no `[*]`) it sits at. */
export interface PathValue {
  path: string;
  value: unknown;
}

const PLAIN_KEY = /^[A-Za-z0-9_$@-]+$/;

/** Parses a path; answers an explanation instead when the text is not one. */
export function parsePropertyPath(text: string): CompiledPath | string {
  const segments: PathSegment[] = [];
  let rest = text;
  let expectKey = true;
  while (rest.length > 0) {
    if (rest.startsWith("[")) {
      const close = rest.startsWith('["') ? rest.indexOf('"]') : rest.indexOf("]");
      if (close < 0) return `"${text}" has an unclosed [`;
      if (rest.startsWith('["')) {
        segments.push({ key: rest.slice(2, close) });
        rest = rest.slice(close + 2);
      } else {
        const inside = rest.slice(1, close);
        if (inside === "*") segments.push({ each: true });
        else if (/^\d+$/.test(inside)) segments.push({ index: Number(inside) });
        else return `"${text}": [${inside}] must be [*], a list index like [0], or a quoted key like ["a.b"]`;
        rest = rest.slice(close + 1);
      }
      expectKey = false;
      continue;
    }
    if (!expectKey) {
      if (!rest.startsWith(".")) return `"${text}": expected . or [ after a segment`;
      rest = rest.slice(1);
    }
    const match = /^[^.[\]]+/.exec(rest);
    if (!match || !PLAIN_KEY.test(match[0])) {
      return `"${text}" is not a property path; use names, dots, [n], [*] or ["key"], e.g. ingress[*].cidr`;
    }
    segments.push({ key: match[0] });
    rest = rest.slice(match[0].length);
    expectKey = false;
  }
  if (segments.length === 0) return "a property path must not be empty";
  return { text, segments, wildcard: segments.some((segment) => "each" in segment) };
}

function keyText(base: string, key: string): string {
  if (PLAIN_KEY.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Every value the path reaches. An unknown value met on the way stands for whatever lies below it.
 * A plain path always gives one entry (its value may be undefined); `[*]` over a missing or empty
 * list gives none.
 */
export function resolvePath(root: unknown, path: CompiledPath): PathValue[] {
  let entries: PathValue[] = [{ path: "", value: root }];
  for (const segment of path.segments) {
    const next: PathValue[] = [];
    for (const entry of entries) {
      const { value } = entry;
      if (isUnknown(value)) {
        next.push(entry);
      } else if ("key" in segment) {
        next.push({
          path: keyText(entry.path, segment.key),
          value: isMap(value) ? value[segment.key] : undefined,
        });
      } else if ("index" in segment) {
        next.push({
          path: `${entry.path}[${segment.index}]`,
          value: Array.isArray(value) ? value[segment.index] : undefined,
        });
      } else if (Array.isArray(value)) {
        value.forEach((item, index) => {
          next.push({ path: `${entry.path}[${index}]`, value: item });
        });
      } else if (isMap(value)) {
        for (const [key, item] of Object.entries(value))
          next.push({ path: keyText(entry.path, key), value: item });
      }
    }
    entries = next;
  }
  return entries;
}
