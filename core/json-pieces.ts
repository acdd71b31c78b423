/**
 * `JSON.stringify(value, null, indent)`, the same characters, handed out in pieces of about
 * `pieceChars` so that a large document (a state file of 100,000 resources is ~45 MB) is never one
 * string and one buffer in memory at once. Containers holding many values are walked here; a small
 * value (a resource, say) is stringified whole by JSON.stringify and re-indented to its depth, which
 * keeps nearly all of the work in V8's serializer. One difference, unseen in plain data: a `toJSON`
 * of a value inside a walked container is called with "" as its key, not the key it sits under.
 */
export function* jsonPieces(value: unknown, indent = 2, pieceChars = 1 << 20): Generator<string> {
  if (indent < 1) {
    // Without line breaks there is nothing to re-indent; not what a large file is written with.
    const text = JSON.stringify(value);
    if (text !== undefined) yield text;
    return;
  }
  let pending: string[] = [];
  let pendingChars = 0;
  const unit = " ".repeat(indent);
  const onPath = new Set<object>();

  // A walked container at `depth`: its brackets and entries, each entry indented for its depth.
  function* container(walked: object, depth: number): Generator<string> {
    if (onPath.has(walked)) throw new TypeError("Converting circular structure to JSON");
    onPath.add(walked);
    const isArray = Array.isArray(walked);
    const inner = `\n${unit.repeat(depth + 1)}`;
    let any = false;
    for (const [key, item] of isArray ? (walked as unknown[]).entries() : Object.entries(walked)) {
      let text = valueText(item, depth + 1);
      if (text === undefined) {
        if (!isArray) continue; // undefined, a function or a symbol: JSON leaves the key out...
        text = "null"; // ...and writes null in an array
      }
      yield `${any ? "," : isArray ? "[" : "{"}${inner}${isArray ? "" : `${JSON.stringify(key)}: `}`;
      any = true;
      if (typeof text === "string") yield text;
      else yield* text;
    }
    onPath.delete(walked);
    const close = isArray ? "]" : "}";
    yield any ? `\n${unit.repeat(depth)}${close}` : isArray ? "[]" : "{}";
  }

  // A value as text indented for `depth`: a string, or the pieces of a walked container.
  function valueText(item: unknown, depth: number): string | Iterable<string> | undefined {
    if (isWalked(item)) return container(item as object, depth);
    const text = JSON.stringify(item, null, indent);
    if (text === undefined || depth === 0 || !text.includes("\n")) return text;
    return text.replaceAll("\n", `\n${unit.repeat(depth)}`);
  }

  const top = valueText(value, 0);
  if (top === undefined) return;
  for (const piece of typeof top === "string" ? [top] : top) {
    pending.push(piece);
    pendingChars += piece.length;
    if (pendingChars >= pieceChars) {
      yield pending.join("");
      pending = [];
      pendingChars = 0;
    }
  }
  if (pending.length > 0) yield pending.join("");
}

/** Walked here rather than stringified whole: a plain array or object holding this many values or more. */
const WALK_FROM = 256;

function isWalked(item: unknown): boolean {
  return isPlainContainer(item) && holdsAtLeast(item, WALK_FROM) <= 0;
}

function isPlainContainer(item: unknown): item is object {
  if (typeof item !== "object" || item === null) return false;
  if (Array.isArray(item)) return true;
  const proto = Object.getPrototypeOf(item);
  if (proto !== Object.prototype && proto !== null) return false; // a Date, a Map, a boxed value: JSON's rules
  return typeof (item as { toJSON?: unknown }).toJSON !== "function";
}

/** What is left of `budget` after counting the values under `item`; 0 once it runs out (a bounded look). */
function holdsAtLeast(item: object, budget: number): number {
  let left = budget;
  for (const key in item) {
    if (--left <= 0) return 0;
    const child = (item as Record<string, unknown>)[key];
    if (typeof child === "object" && child !== null) {
      left = holdsAtLeast(child, left);
      if (left <= 0) return 0;
    }
  }
  return left;
}
