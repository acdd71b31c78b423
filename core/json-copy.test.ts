import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonCopy } from "./json-copy.ts";

const odd = fc.oneof(
  fc.constant(undefined),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(-0),
  fc.constant(new Date(0)),
  fc.constant(() => 1),
  fc.constant(Symbol("s")),
  fc.constant(new Map([[1, 2]])),
  fc.constant({ toJSON: (key: string) => `key:${key}` }),
  fc.constant(Object.fromEntries([["__proto__", { polluted: true }]])),
);
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: "small" }, fc.jsonValue({ maxDepth: 1 }), odd, tie("array"), tie("object")),
  array: fc.array(tie("any"), { maxLength: 5 }),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constant("__proto__")), tie("any"), { maxKeys: 5 }),
})).any;

describe("jsonCopy", () => {
  it("equals JSON.parse(JSON.stringify(value)), prototype and key order included", () => {
    fc.assert(
      fc.property(fc.oneof(value.filter((v) => typeof v === "object" && v !== null)), (input) => {
        const copied = jsonCopy(input);
        const expected = JSON.parse(JSON.stringify(input));
        expect(JSON.stringify(copied)).toBe(JSON.stringify(expected));
        expect(copied).toStrictEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("shares no object with its input, so a later change to the input cannot reach the copy", () => {
    const input = { a: { b: [1, { c: "x" }] } };
    const copied = jsonCopy(input);
    input.a.b.push(2);
    (input.a.b[1] as { c: string }).c = "y";
    expect(copied).toEqual({ a: { b: [1, { c: "x" }] } });
  });

  it("refuses a cycle and a BigInt, as JSON.stringify does", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    expect(() => jsonCopy(cyclic)).toThrow(TypeError);
    expect(() => jsonCopy({ n: 1n })).toThrow(TypeError);
  });
});
