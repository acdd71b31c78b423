import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import {
  CASES_DIR,
  EvalCaseError,
  expectationsFor,
  loadCaseFile,
  loadCases,
  MODEL_ONLY,
  parseCase,
} from "./case-schema.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-eval-schema-"));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function caught(run: () => unknown): EvalCaseError {
  try {
    run();
  } catch (error) {
    if (error instanceof EvalCaseError) return error;
    throw error;
  }
  throw new Error("expected an EvalCaseError");
}

describe("eval case files", () => {
  it("loads every shipped case, with unique ids, the required coverage and at least 14 cases", () => {
    const cases = loadCases();
    expect(cases.length).toBeGreaterThanOrEqual(14);
    const ids = cases.map((evalCase) => evalCase.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ["seed-customer-portal", "readme-web-app", "memory-reuse", "setup-extend-vlan"])
      expect(ids).toContain(id);
    expect(cases.some((evalCase) => evalCase.repeat)).toBe(true);
    expect(cases.some((evalCase) => evalCase.setup)).toBe(true);
    expect(cases.some((evalCase) => evalCase.faults)).toBe(true);
    expect(cases.some((evalCase) => evalCase.tags.includes(MODEL_ONLY))).toBe(true);
    for (const evalCase of cases) expect(evalCase.file.startsWith(CASES_DIR)).toBe(true);
  });

  it("names the file and every wrong path of a malformed case", () => {
    const file = join(FIXTURES, "malformed-case.yaml");
    const error = caught(() => loadCaseFile(file));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(file);
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "id",
        "goal",
        "faults",
        "expect.outcome",
        "expect.resources[0]",
        "expect.resources[1]",
        "expect.maxModelCalls",
      ]),
    );
    expect(error.message).toMatch(/expect\.resources\[0\]: give count \(exactly N\) or min/);
    expect(error.message).toMatch(/expect\.resources\[1\]: .*typ/);
    expect(error.message).toMatch(/faults: .*gcp/);
    expect(error.message).toMatch(/expect\.outcome: must be one of succeeded, .*rolled-back/);
  });

  it("reports a YAML syntax error by line, and a bad setup spec by its resource", () => {
    // Written here, not kept as a fixture: the formatter rejects a broken YAML file in the tree.
    const file = join(tempDir(), "broken.yaml");
    writeFileSync(file, "id: broken\ngoal: [unclosed\nexpect: {}\n");
    const broken = caught(() => loadCaseFile(file));
    expect(broken.issues[0]?.path).toMatch(/^line \d+, column \d+$/);
    const setup = caught(() => loadCaseFile(join(FIXTURES, "bad-setup-case.yaml")));
    expect(setup.message).toMatch(/setup\.vlan-30\.resources\[1\]\.name: the name is already used/);
  });

  it("rejects an unknown field, a regex that does not compile, and `second` without repeat", () => {
    const base = { id: "x", goal: "a goal", expect: { outcome: "succeeded" } };
    expect(caught(() => parseCase({ ...base, expect: { outcom: "succeeded" } }, "a.yaml")).message).toMatch(
      /expect: .*outcom/,
    );
    const regex = caught(() =>
      parseCase(
        {
          ...base,
          expect: { resources: [{ type: "aws:s3:bucket", properties: { bucketName: "/([a-z/" } }] },
        },
        "b.yaml",
      ),
    );
    expect(regex.message).toMatch(
      /expect\.resources\[0\]\.properties\.bucketName: is not a valid regular expression/,
    );
    expect(
      caught(() => parseCase({ ...base, expect: { second: { outcome: "succeeded" } } }, "c.yaml")).message,
    ).toMatch(/expect\.second: only a repeat: true case runs twice/);
  });

  it("passes structured fault settings on as JSON and reads a setup spec from a file beside the case", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "setup.yaml"),
      "name: db\nresources:\n  - { type: aws:s3:bucket, name: b, properties: { bucketName: b-1 } }\n",
    );
    const evalCase = parseCase(
      {
        id: "faulty",
        goal: "a goal",
        faults: { aws: { MOCK_FAULTS: [{ match: "db", code: "THROTTLED", attempts: [1] }] } },
        setup: "setup.yaml",
        expect: {},
      },
      join(dir, "faulty.yaml"),
    );
    expect(JSON.parse(evalCase.faults?.aws?.["MOCK_FAULTS"] ?? "null")).toEqual([
      { match: "db", code: "THROTTLED", attempts: [1] },
    ]);
    expect(evalCase.setup?.resources.map((resource) => resource.name)).toEqual(["b"]);
  });

  it("applies withModel over the offline expectations, null dropping a field", () => {
    const evalCase = parseCase(
      {
        id: "both",
        goal: "a goal",
        expect: {
          outcome: "declined",
          recovery: [],
          deploymentName: "x",
          withModel: { outcome: ["planner-failed", "declined"], recovery: null },
        },
      },
      "both.yaml",
    );
    expect(expectationsFor(evalCase, false)).toEqual({
      outcome: "declined",
      recovery: [],
      deploymentName: "x",
    });
    expect(expectationsFor(evalCase, true)).toEqual({
      outcome: ["planner-failed", "declined"],
      deploymentName: "x",
    });
  });
});
