import { describe, expect, it } from "vitest";
import { OUTPUT_CAP, redact, runShell } from "./run-shell.ts";

describe("runShell", () => {
  it("keeps only the tail of a chatty command, and says how much it dropped", async () => {
    const result = await runShell("yes line | head -n 20000", {
      cwd: process.cwd(),
      env: {},
      timeoutMs: 30_000,
      secrets: [],
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^\[… \d+ earlier characters dropped\]\n(line\n)+line$/);
    expect(result.stdout.length).toBeLessThan(OUTPUT_CAP + 100);
  });

  it("redacts secret values, longest first, but not values too short to be secrets", () => {
    expect(redact("token=abcd1234 and abcd and 1", ["abcd", "abcd1234", "1"])).toBe(
      "token=*** and *** and 1",
    );
  });
});
