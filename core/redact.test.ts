import { describe, expect, it } from "vitest";
import { MIN_SECRET_LENGTH, REDACTED, redactSecrets, redactWith, secretPattern } from "./redact.ts";

describe("redactSecrets", () => {
  it("replaces every occurrence, longest secret first, so a secret holding another is hidden whole", () => {
    expect(redactSecrets("key=abcd1234 and abcd", ["abcd", "abcd1234"])).toBe(
      `key=${REDACTED} and ${REDACTED}`,
    );
  });

  it("leaves values shorter than the minimum alone: hiding every 'on' would wreck the text", () => {
    expect(MIN_SECRET_LENGTH).toBe(4);
    expect(redactSecrets("on and 1", ["on", "1"])).toBe("on and 1");
    expect(redactSecrets("abcdef abc", ["abcdef", "abc"], { minLength: 6, marker: "***" })).toBe("*** abc");
  });

  it("treats secrets as text, not patterns, and the marker as text too", () => {
    expect(redactSecrets("a.b*c(d) axbbc", ["a.b*c(d)"], { marker: "$&$&" })).toBe("$&$& axbbc");
    expect(secretPattern([undefined, 42, ""])).toBeUndefined();
    expect(redactWith("unchanged", undefined)).toBe("unchanged");
  });
});
