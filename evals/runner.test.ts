import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createScriptedModel } from "../agent/llm/scripted.ts";
import { loadCases } from "./case-schema.ts";
import { runEvalCommand } from "./command.ts";
import { type EvalResult, formatSummary, runEvals } from "./runner.ts";

const bases: string[] = [];
function tempBase(): string {
  const base = mkdtempSync(join(tmpdir(), "mcp-iac-evals-test-"));
  bases.push(base);
  return base;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  for (const base of bases.splice(0)) rmSync(base, { recursive: true, force: true });
});

const submit = (spec: unknown) => ({
  content: [{ type: "tool_call" as const, id: "call-1", name: "submit_deployment", input: { spec } }],
  stopReason: "tool_use" as const,
});

const BUCKET = {
  name: "static-site",
  resources: [
    {
      type: "aws:s3:bucket",
      name: "site",
      properties: { bucketName: "acme-static-site", versioning: true },
    },
  ],
};

describe("runEvals end to end over stdio mock providers", () => {
  it("runs the quick cases offline, each in its own folder, and prints PASS lines and the count", async () => {
    const base = tempBase();
    const lines: string[] = [];
    const seen: EvalResult[] = [];
    const summary = await runEvals({
      filter: "quick",
      cwdBase: base,
      print: (line) => lines.push(line),
      onResult: (result) => seen.push(result),
    });
    const ids = summary.results.map((result) => result.id);
    expect(ids).toEqual(["declined-gcp", "dns-override", "memory-reuse"]);
    expect(summary.results.map((result) => result.failures)).toEqual([[], [], []]);
    expect({ passed: summary.passed, failed: summary.failed, skipped: summary.skipped }).toEqual({
      passed: 3,
      failed: 0,
      skipped: 0,
    });
    expect(seen).toEqual(summary.results);
    expect(summary.results.map((result) => result.outcome)).toEqual([
      "declined",
      "succeeded",
      "nothing-to-do",
    ]);
    expect(summary.results.every((result) => result.modelCalls === 0)).toBe(true);
    expect(lines[0]).toBe("Running 3 eval cases (offline planner)");
    expect(lines[1]).toMatch(/^PASS declined-gcp \(\d+\.\ds, 0 model calls\)$/);
    expect(lines.at(-1)).toBe("3 passed, 0 failed");
    // Passed cases leave nothing behind.
    expect(readdirSync(base)).toEqual([]);
  });

  it("runs model-only cases with a model, fails an unmet expectation with its reason, and keeps that folder", async () => {
    const base = tempBase();
    const bucketCase = loadCases().find((evalCase) => evalCase.id === "model-s3-static-site")!;
    const wrong = {
      ...bucketCase,
      id: "bucket-unversioned",
      expect: {
        ...bucketCase.expect,
        resources: [{ type: "aws:s3:bucket", count: 1, properties: { versioning: false } }],
      },
    };
    const lines: string[] = [];
    const summary = await runEvals({
      cases: [bucketCase, wrong],
      cwdBase: base,
      modelFor: () => ({ model: createScriptedModel([submit(BUCKET)]), description: "model: scripted" }),
      print: (line) => lines.push(line),
    });
    const [passed, failed] = summary.results;
    expect(passed).toMatchObject({
      id: "model-s3-static-site",
      ok: true,
      outcome: "succeeded",
      modelCalls: 1,
    });
    expect(failed).toMatchObject({ id: "bucket-unversioned", ok: false, outcome: "succeeded" });
    expect(failed!.failures).toEqual([
      'resources: expected exactly 1 aws:s3:bucket with {"versioning":false}, found 0; 1 other aws:s3:bucket did not match, e.g. site: versioning: expected false, got true',
    ]);
    expect(lines).toContain(`FAIL bucket-unversioned: ${failed!.failures[0]}`);
    expect(lines.at(-1)).toBe("1 passed, 1 failed");
    expect(readdirSync(base)).toHaveLength(1);
    expect(failed!.reason).toContain(join(base, readdirSync(base)[0]!));
  });

  it("skips model-only cases offline and says why; the count line adds the skipped", async () => {
    const lines: string[] = [];
    const summary = await runEvals({ filter: "model-only", print: (line) => lines.push(line) });
    expect(summary.results.length).toBeGreaterThan(0);
    expect(summary.results.every((result) => result.skipped && result.outcome === "skipped")).toBe(true);
    expect(
      lines
        .slice(1, -1)
        .every((line) => /^SKIP [a-z0-9-]+: model-only: the offline planner serves/.test(line)),
    ).toBe(true);
    expect(lines.at(-1)).toBe(`0 passed, 0 failed, ${summary.skipped} skipped`);
    expect(formatSummary({ passed: 2, failed: 1, skipped: 0 })).toBe("2 passed, 1 failed");
  });
});

describe("agent eval", () => {
  it("exits 2 with a clear error when no case matches the filter", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "");
    vi.stubEnv("OPENAI_API_KEY", "");
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    await expect(runEvalCommand({ filter: "no-such-case-anywhere" })).rejects.toMatchObject({
      exitCode: 2,
      message: 'no eval case matches "no-such-case-anywhere"',
    });
  });

  it("prints one JSON document with --json and exits 0 when every case that ran passed", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "");
    vi.stubEnv("OPENAI_API_KEY", "");
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const code = await runEvalCommand({ filter: "model-s3", json: true });
    expect(code).toBe(0);
    const document = JSON.parse(written.join(""));
    expect(document).toMatchObject({
      command: "eval",
      planner: "offline planner",
      summary: "0 passed, 0 failed, 1 skipped",
      skipped: 1,
      exitCode: 0,
    });
  });
});
