import { describe, expect, it } from "vitest";
import { MemoryError } from "../memory/errors.ts";
import { PolicyLoadError } from "../policies/errors.ts";
import { cut, IAC_ERROR, IacError, isIacError } from "./errors.ts";

class SpecLike extends IacError {
  static override readonly codes = "LIKE_SPEC";
}

describe("IacError", () => {
  it("carries code, exit code and hint, and a cause when given", () => {
    const cause = new Error("root");
    const error = new IacError("X_FAILED", "it failed", { exitCode: 3, hint: "try again", cause });
    expect([error.code, error.exitCode, error.hint, error.cause]).toEqual([
      "X_FAILED",
      3,
      "try again",
      cause,
    ]);
    expect(new IacError("Y", "m").exitCode).toBe(1);
  });

  it("is recognised by its brand, not its prototype: a copy from another module still matches", () => {
    const foreign = Object.assign(new Error("from a duplicated module"), {
      [Symbol.for("mcp-iac.error")]: true,
      code: "MEMORY_CORRUPT",
      exitCode: 1,
    });
    expect(foreign instanceof IacError).toBe(false);
    expect(IacError.isInstance(foreign)).toBe(true);
    expect(MemoryError.isInstance(foreign)).toBe(true);
    expect(PolicyLoadError.isInstance(foreign)).toBe(false);
  });

  it("a subclass matches only its own codes; the base matches all of ours and nothing else", () => {
    const memory = new MemoryError("MEMORY_INVALID", "bad");
    const like = new SpecLike("LIKE_SPEC", "bad");
    expect(SpecLike.isInstance(like)).toBe(true);
    expect(SpecLike.isInstance(memory)).toBe(false);
    expect(MemoryError.isInstance(memory)).toBe(true);
    expect(IacError.isInstance(memory)).toBe(true);
    expect(memory[IAC_ERROR]).toBe(true);
    // Look-alikes without the brand are not ours, however close their shape.
    expect(IacError.isInstance(Object.assign(new Error("x"), { code: "MEMORY_INVALID", exitCode: 1 }))).toBe(
      false,
    );
    expect(isIacError(null)).toBe(false);
    expect(isIacError("MEMORY_INVALID")).toBe(false);
  });
});

describe("cut", () => {
  it("keeps short text and cuts long text, saying how long it was", () => {
    expect(cut("short")).toBe("short");
    expect(cut("x".repeat(200), 10)).toBe(`${"x".repeat(10)}… (200 characters)`);
  });
});
