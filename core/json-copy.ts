/**
 * What `JSON.parse(JSON.stringify(value))` returns, made without the text: new objects and arrays,
 * the same strings (they are immutable, so sharing them is safe and saves holding each twice).
 * The rules are JSON's: `toJSON` is called, non-finite numbers become null, undefined, functions
 * and symbols are left out of objects and become null in arrays, a cycle or a BigInt throws.
 */
export function jsonCopy<T>(value: T): T {
  return copyValue(value, "", new Set()) as T;
}

function copyValue(value: unknown, key: string, onPath: Set<object>): unknown {
  let item = value;
  if (
    typeof item === "object" &&
    item !== null &&
    typeof (item as { toJSON?: unknown }).toJSON === "function"
  ) {
    item = (item as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (item instanceof Number || item instanceof String || item instanceof Boolean) item = item.valueOf();
  switch (typeof item) {
    case "string":
    case "boolean":
      return item;
    case "number":
      return Number.isFinite(item) ? item + 0 : null; // + 0 turns -0 into 0, as the text does
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt");
    case "object": {
      if (item === null) return null;
      if (onPath.has(item)) throw new TypeError("Converting circular structure to JSON");
      onPath.add(item);
      let out: unknown;
      if (Array.isArray(item)) {
        out = item.map((element, index) => copyValue(element, String(index), onPath) ?? null);
      } else {
        const object: Record<string, unknown> = {};
        for (const name of Object.keys(item)) {
          const copied = copyValue((item as Record<string, unknown>)[name], name, onPath);
          if (copied === undefined) continue;
          // JSON.parse makes "__proto__" an own property; an assignment would set the prototype.
          if (name === "__proto__")
            Object.defineProperty(object, name, {
              value: copied,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else object[name] = copied;
        }
        out = object;
      }
      onPath.delete(item);
      return out;
    }
    default:
      return undefined; // undefined, a function, a symbol
  }
}
