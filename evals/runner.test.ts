import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createScriptedModel } from "../agent/llm/scripted.ts";
import { openaiCompletion, startOpenAIWireServer } from "../agent/llm/wire/openai-wire-server.ts";
import { loadCases } from "./case-loader.ts";
import { parseCase } from "./case-schema.ts";
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
    { type: "aws:s3:bucket", name: "site", properties: { bucketName: "acme-static-site", versioning: true } },
  ],
};

// Each case starts real provider processes; on a loaded machine that takes long, and a test never fails on timing.
const SANDBOX_TIMEOUT = 600_000;

describe("runEvals end to end over stdio mock providers", () => {
  it(
    "runs offline cases side by side, each in its own folder, and prints PASS lines and the count",
    async () => {
      const base = tempBase();
      const lines: string[] = [];
      const seen: EvalResult[] = [];
      const summary = await runEvals({
        filter: "quick",
        planners: ["offline"],
        cwdBase: base,
        parallel: 3,
        print: (line) => lines.push(line),
        onResult: (result) => seen.push(result),
      });
      expect(summary.results.map((result) => result.id)).toEqual([
        "declined-gcp",
        "dns-override",
        "memory-reuse",
      ]);
      expect(summary.results.map((result) => result.failures)).toEqual([[], [], []]);
      expect(summary.results.map((result) => result.outcome)).toEqual([
        "declined",
        "succeeded",
        "nothing-to-do",
      ]);
      expect(summary.results.every((result) => result.planner === "offline" && result.modelCalls === 0)).toBe(
        true,
      );
      expect(seen).toHaveLength(3);
      expect(lines[0]).toBe("Running 3 eval runs of 3 cases (offline)");
      expect(lines).toContainEqual(
        expect.stringMatching(/^PASS declined-gcp \[offline\] \(\d+\.\ds, 0 model calls\)$/),
      );
      expect(lines.at(-1)).toBe("3 passed, 0 failed");
      expect(summary.byPlanner).toEqual([
        { key: "offline", planner: "offline", cases: 3, passAt1: 1, passAtK: 1, passHatK: 1 },
      ]);
      // Passed cases leave nothing behind.
      expect(readdirSync(base)).toEqual([]);
    },
    SANDBOX_TIMEOUT,
  );

  it(
    "replays a case's model turns through the real adapter and a loopback wire server, counting tokens",
    async () => {
      const base = tempBase();
      const bucketCase = loadCases().find((evalCase) => evalCase.id === "model-s3-static-site")!;
      const wrong = {
        ...bucketCase,
        id: "bucket-unversioned",
        expect: { resources: [{ type: "aws:s3:bucket", count: 1, properties: { versioning: false } }] },
      };
      const lines: string[] = [];
      const summary = await runEvals({
        cases: [bucketCase, wrong],
        planners: ["scripted"],
        cwdBase: base,
        print: (line) => lines.push(line),
      });
      const [passed, failed] = summary.results;
      // The case's Anthropic-wire usage: 2400+2600 prompt tokens, 1800+2300 of them cached, 40+120 out.
      expect(passed).toMatchObject({
        id: "model-s3-static-site",
        planner: "scripted",
        ok: true,
        outcome: "succeeded",
        modelCalls: 2,
        tokens: { input: 5000, output: 160, cached: 4100 },
      });
      expect(failed).toMatchObject({
        id: "bucket-unversioned",
        ok: false,
        status: "fail",
        outcome: "succeeded",
      });
      expect(failed!.failures).toEqual([
        'resources: expected exactly 1 aws:s3:bucket with {"versioning":false}, found 0; 1 other aws:s3:bucket did not match, e.g. site: versioning: expected false, got true',
      ]);
      expect(lines).toContain(`FAIL bucket-unversioned [scripted]: ${failed!.failures[0]}`);
      expect(lines.at(-1)).toBe("1 passed, 1 failed");
      expect(readdirSync(base)).toHaveLength(1);
      expect(failed!.reason).toContain(join(base, readdirSync(base)[0]!));
    },
    SANDBOX_TIMEOUT,
  );

  it(
    "repeats live runs k times and reports Pass@1, Pass@k and Pass^k; a known gap is counted apart",
    async () => {
      const bucketCase = loadCases().find((evalCase) => evalCase.id === "model-s3-static-site")!;
      let runs = 0;
      const gap = parseCase(
        {
          goal: "deploy a web app on GCP",
          category: "ambiguous",
          planners: ["offline"],
          providers: ["aws"],
          knownGap: "pinned here: a declined goal reported as succeeded",
          expect: { outcome: "succeeded" },
        },
        "/inline/known-gap/case.yaml",
      );
      const summary = await runEvals({
        cases: [bucketCase, gap],
        planners: ["live", "offline"],
        repeat: 2,
        cwdBase: tempBase(),
        // The second live run answers with no submission at all, so one of two passes.
        modelFor: () => ({
          model: createScriptedModel(
            runs++ === 0 ? [submit(BUCKET)] : [{ content: [{ type: "text", text: "no" }] }],
          ),
          description: "model: scripted",
        }),
        print: false,
      });
      const live = summary.rates.find(
        (rate) => rate.id === "model-s3-static-site" && rate.planner === "live",
      )!;
      expect(live).toMatchObject({ n: 2, passed: 1, passAt1: 0.5, passAtK: 1, passHatK: 0 });
      const known = summary.results.find((result) => result.id === "known-gap")!;
      expect(known).toMatchObject({ status: "known-gap", ok: false, planner: "offline" });
      expect({ passed: summary.passed, failed: summary.failed, knownGaps: summary.knownGaps }).toEqual({
        passed: 1,
        failed: 1,
        knownGaps: 1,
      });
      expect(formatSummary({ passed: 2, failed: 1, skipped: 3 })).toBe("2 passed, 1 failed, 3 skipped");
    },
    SANDBOX_TIMEOUT,
  );
});

describe("live runs recorded and replayed", () => {
  it(
    "records a live conversation (a keyless OpenAI-compatible base URL) and replays it as a scripted case",
    async () => {
      const spec = {
        name: "dns-override",
        resources: [
          {
            type: "opnsense:service:dns:override",
            name: "grafana",
            properties: { host: "grafana", domain: "home.lan", ip: "10.0.20.5" },
          },
        ],
      };
      const server = await startOpenAIWireServer(() =>
        openaiCompletion({
          tool_calls: [
            { id: "c1", function: { name: "submit_deployment", arguments: JSON.stringify({ spec }) } },
          ],
        }),
      );
      try {
        vi.stubEnv("ANTHROPIC_API_KEY", "");
        vi.stubEnv("OPENAI_API_KEY", "");
        vi.stubEnv("OPENAI_BASE_URL", server.url);
        const recordDir = tempBase();
        const live = await runEvals({
          filter: "dns-override",
          modelFromEnv: true,
          planners: ["live"],
          recordDir,
          cwdBase: tempBase(),
          print: false,
        });
        expect(live.planner).toMatch(/^live: model: openai gpt-4o-mini at http:\/\/127\.0\.0\.1/);
        expect(live.results.map((result) => [result.id, result.planner, result.ok])).toEqual([
          ["dns-override", "live", true],
        ]);
        expect(readdirSync(recordDir)).toEqual(["dns-override-live-1"]);
        const replayed = await runEvals({
          casesDir: recordDir,
          planners: ["scripted"],
          cwdBase: tempBase(),
          print: false,
        });
        expect(
          replayed.results.map((result) => [result.id, result.planner, result.ok, result.modelCalls]),
        ).toEqual([["dns-override-live-1", "scripted", true, 1]]);
        // One request went to the live server; the replay never touched it.
        expect(server.requests).toHaveLength(1);
      } finally {
        await server.close();
      }
    },
    SANDBOX_TIMEOUT,
  );
});

describe("agent eval", () => {
  it("exits 2 with a clear error when no case matches the filter", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "");
    vi.stubEnv("OPENAI_API_KEY", "");
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    await expect(runEvalCommand({ filter: "no-such-case-anywhere" })).rejects.toMatchObject({
      exitCode: 2,
      message: 'no eval case matches "no-such-case-anywhere" with the planners asked for',
    });
  });

  it("--planner live without a model skips with the reason; --json prints one document", async () => {
    vi.stubEnv("ANTHROPIC_API_KEY", "");
    vi.stubEnv("OPENAI_API_KEY", "");
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const code = await runEvalCommand({ filter: "model-s3", json: true, planners: ["live"] });
    expect(code).toBe(0);
    const document = JSON.parse(written.join(""));
    expect(document).toMatchObject({
      command: "eval",
      summary: "0 passed, 0 failed, 1 skipped",
      exitCode: 0,
    });
    expect(document.results[0].reason).toMatch(/^no live model: model: none — the offline planner serves/);
  });
});
