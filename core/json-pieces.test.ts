import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonPieces } from "./json-pieces.ts";

const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.constant(new Date(0)));

/** A plain array or object with more entries than jsonPieces stringifies whole, so it is walked. */
function wide<T>(entry: fc.Arbitrary<T>) {
  return fc.oneof(
    fc.array(entry, { minLength: 40, maxLength: 70 }),
    fc
      .uniqueArray(fc.tuple(fc.string(), entry), { minLength: 40, maxLength: 70, selector: ([key]) => key })
      .map((entries) => Object.fromEntries(entries)),
  );
}

/** JSON-like values with wide containers two levels deep, and the values JSON drops or nulls. */
const wideValue = fc.oneof(
  leaf,
  wide(leaf),
  wide(fc.oneof({ weight: 8, arbitrary: leaf }, { weight: 1, arbitrary: wide(leaf) })),
);

describe("jsonPieces", () => {
  it("writes exactly what JSON.stringify(value, null, indent) does, whatever the pieces' size", () => {
    fc.assert(
      fc.property(
        wideValue,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5000 }),
        (value, indent, size) => {
          expect([...jsonPieces(value, indent, size)].join("")).toBe(
            JSON.stringify(value, null, indent) ?? "",
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("never holds a large document as one piece", () => {
    const document = {
      resources: Object.fromEntries(
        Array.from({ length: 20_000 }, (_, i) => [`r${i}`, { id: i, tags: ["a", "b"] }]),
      ),
    };
    const pieces = [...jsonPieces(document, 2, 64 * 1024)];
    expect(pieces.length).toBeGreaterThan(20);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(64 * 1024 + 200);
    expect(pieces.join("")).toBe(JSON.stringify(document, null, 2));
  });

  it("refuses a cycle through walked containers, as JSON.stringify does", () => {
    const wide: Record<string, unknown> = Object.fromEntries(
      Array.from({ length: 100 }, (_, i) => [`k${i}`, i]),
    );
    wide["self"] = wide;
    expect(() => [...jsonPieces(wide)]).toThrow(TypeError);
  });
});
