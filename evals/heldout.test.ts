import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatHeldout, runHeldout } from "./heldout.ts";

describe("held-out paraphrased goals", () => {
  it("classifies each shipped goal and reports shares that add up", () => {
    const result = runHeldout();
    expect(result.total).toBeGreaterThanOrEqual(40);
    expect(result.understood + result.declined + result.misunderstood).toBe(result.total);
    expect(result.shares.understood + result.shares.declined + result.shares.misunderstood).toBeCloseTo(1);
    expect(formatHeldout(result)[0]).toMatch(
      /^Held-out paraphrased goals \(\d+, offline planner\): understood \d+/,
    );
  });

  it("counts a wrong blueprint and a planned out-of-scope goal as misunderstood, a refusal as declined", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-heldout-"));
    try {
      const file = join(dir, "goals.yaml");
      writeFileSync(
        file,
        [
          "goals:",
          '  - { goal: "point grafana.home.lan at 10.0.20.5", expect: [dns-override] }',
          '  - { goal: "point grafana.home.lan at 10.0.20.5", expect: [database] }',
          '  - { goal: "a postgres database with 20 GB", expect: decline }',
          '  - { goal: "deploy a web app on GCP", expect: [web-app-lb] }',
          '  - { goal: "deploy a web app on GCP", expect: decline }',
        ].join("\n"),
      );
      const result = runHeldout(file);
      expect(result.goals.map((goal) => goal.verdict)).toEqual([
        "understood",
        "misunderstood",
        "misunderstood",
        "declined",
        "understood",
      ]);
      writeFileSync(file, "goals: [{ goal: x }]\n");
      expect(() => runHeldout(file)).toThrow(/is not a held-out goals file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
