import { describe, expect, it } from "vitest";
import { readSpecValue, readSubmission } from "./submitted-spec.ts";

describe("reading a submitted spec", () => {
  it("takes an object, YAML text or JSON text", () => {
    expect(readSpecValue({ name: "a", resources: [] })).toEqual({
      ok: true,
      spec: { name: "a", resources: [] },
    });
    expect(readSpecValue("name: a\nresources: []")).toEqual({ ok: true, spec: { name: "a", resources: [] } });
    expect(readSpecValue('{"name":"a","resources":[]}')).toEqual({
      ok: true,
      spec: { name: "a", resources: [] },
    });
  });

  it("explains what is wrong with anything else", () => {
    expect(readSpecValue(undefined)).toMatchObject({
      ok: false,
      problem: expect.stringContaining("got nothing"),
    });
    expect(readSpecValue(42)).toMatchObject({ ok: false, problem: expect.stringContaining("got a number") });
    expect(readSpecValue("[1, 2]")).toMatchObject({
      ok: false,
      problem: expect.stringContaining("it holds a list"),
    });
    expect(readSpecValue("name: a\nname: b")).toMatchObject({
      ok: false,
      problem: expect.stringContaining("not valid YAML or JSON at line"),
    });
    expect(readSpecValue("a: &x [*x, *x]\nb: *y")).toMatchObject({ ok: false });
  });

  it("reads submit_deployment input with notes, or the spec passed directly", () => {
    expect(readSubmission({ spec: { name: "a", resources: [] }, notes: "  assumed igc2 " })).toEqual({
      ok: true,
      spec: { name: "a", resources: [] },
      notes: "assumed igc2",
    });
    expect(readSubmission({ name: "a", resources: [], notes: "n" })).toEqual({
      ok: true,
      spec: { name: "a", resources: [] },
      notes: "n",
    });
    expect(readSubmission({ notes: "forgot it" })).toMatchObject({
      ok: false,
      problem: expect.stringContaining("the spec is missing"),
    });
    expect(readSubmission("name: a")).toMatchObject({
      ok: false,
      problem: "submit_deployment takes { spec }; got plain text",
    });
  });
});
