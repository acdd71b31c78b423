import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBehaviour } from "./faults.ts";
import { faultGate } from "./gate.ts";
import type { World } from "./world.ts";

describe("MOCK_HOLD_FILE", () => {
  it("holds writes while the file exists and lets them go once it is removed; reads pass", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mock-hold-"));
    const hold = join(dir, "hold");
    writeFileSync(hold, "");
    const gate = faultGate({
      behaviour: parseBehaviour({ MOCK_HOLD_FILE: hold }),
      world: {} as World,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: () => 0,
      die: (reason) => {
        throw new Error(reason);
      },
    });
    await gate("read", "opnsense:service:dns:override", "a");
    let passed = false;
    const create = gate("create", "opnsense:service:dns:override", "a").then(() => {
      passed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(passed).toBe(false);
    rmSync(hold);
    await create;
    expect(passed).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
