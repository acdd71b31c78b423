import { describe, expect, it } from "vitest";
import { diffProperties, sameSecretAware, secretDigest } from "./index.ts";

describe("secret-aware equality", () => {
  it("treats a digest as equal to the value it was made from", () => {
    expect(sameSecretAware(secretDigest("s3cret"), "s3cret")).toBe(true);
    expect(sameSecretAware("s3cret", secretDigest("s3cret"))).toBe(true);
    expect(sameSecretAware(secretDigest("s3cret"), "other")).toBe(false);
  });

  it("tells a set secret from an absent one instead of throwing", () => {
    expect(sameSecretAware(secretDigest("s3cret"), undefined)).toBe(false);
    expect(sameSecretAware(undefined, secretDigest("s3cret"))).toBe(false);
    expect(diffProperties({ password: secretDigest("s3cret") }, {})).toEqual([
      { path: "password", before: secretDigest("s3cret"), forcesReplacement: false },
    ]);
  });
});
