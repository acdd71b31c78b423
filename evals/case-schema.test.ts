import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CASES_DIR, loadCaseFile, loadCases } from "./case-loader.ts";
import { EvalCaseError, expectationsFor, MODEL_ONLY, parseCase } from "./case-schema.ts";

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
  it("loads every shipped case folder: unique ids, at least 50, every category the benchmark measures", () => {
    const cases = loadCases();
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const ids = cases.map((evalCase) => evalCase.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ["seed-customer-portal", "readme-web-app", "memory-reuse", "setup-extend-vlan"])
      expect(ids).toContain(id);
    for (const evalCase of cases) {
      expect(evalCase.file).toBe(join(CASES_DIR, evalCase.id, "case.yaml"));
      expect(evalCase.steps.length).toBeGreaterThan(0);
      expect("goal" in evalCase.steps[evalCase.primary]!).toBe(true);
    }
    const categories = new Set(cases.map((evalCase) => evalCase.category));
    for (const category of [
      "blueprint",
      "customer-portal",
      "cross-provider",
      "policy-repair",
      "transient",
      "permanent-error",
      "crash",
      "drift",
      "memory",
      "destroy",
      "ambiguous",
      "injection",
      "secret",
      "follow-up",
    ])
      expect(categories).toContain(category);
    // Each blueprint class has a case, and the model planner runs in CI through scripted turns.
    expect(cases.filter((evalCase) => evalCase.planners.includes("scripted")).length).toBeGreaterThanOrEqual(
      20,
    );
    expect(cases.some((evalCase) => evalCase.model?.wire === "anthropic")).toBe(true);
    expect(cases.some((evalCase) => evalCase.repeat)).toBe(true);
    expect(cases.some((evalCase) => evalCase.setup)).toBe(true);
    expect(cases.some((evalCase) => evalCase.faults)).toBe(true);
    expect(cases.some((evalCase) => evalCase.world)).toBe(true);
    expect(cases.some((evalCase) => evalCase.memory)).toBe(true);
    expect(cases.some((evalCase) => evalCase.scripts.verify)).toBe(true);
    expect(cases.some((evalCase) => evalCase.tags.includes(MODEL_ONLY))).toBe(true);
  });

  it("turns a goal with repeat into two steps, and defaults planners from the model turns and tags", () => {
    const repeat = parseCase(
      { goal: "g", category: "memory", repeat: true, expect: { second: { outcome: "nothing-to-do" } } },
      "/x/repeat-case/case.yaml",
    );
    expect(repeat.id).toBe("repeat-case");
    expect(repeat.steps).toEqual([{ goal: "g" }, { goal: "g", expect: { outcome: "nothing-to-do" } }]);
    expect(repeat.planners).toEqual(["offline", "live"]);
    const scripted = parseCase(
      {
        goal: "g",
        category: "blueprint",
        tags: [MODEL_ONLY],
        model: { turns: [{ text: "hi" }] },
        expect: {},
      },
      "/x/s/case.yaml",
    );
    expect(scripted.planners).toEqual(["scripted", "live"]);
    expect(scripted.model?.wire).toBe("openai");
    const turns = parseCase(
      {
        turns: [{ goal: "a" }, { destroy: "d" }, { goal: "b" }, { refresh: "d" }],
        category: "destroy",
        expect: {},
      },
      "/x/t/case.yaml",
    );
    expect(turns.primary).toBe(2);
  });

  it("rejects a case id that differs from its folder, goal and turns together, and scripted without turns", () => {
    expect(
      caught(() =>
        parseCase({ id: "other", goal: "g", category: "blueprint", expect: {} }, "/x/mine/case.yaml"),
      ).message,
    ).toMatch(/id: must equal its folder name "mine"/);
    expect(
      caught(() =>
        parseCase({ goal: "g", turns: [{ goal: "g" }], category: "blueprint", expect: {} }, "/x/a/case.yaml"),
      ).message,
    ).toMatch(/goal: give goal or turns, exactly one/);
    expect(
      caught(() =>
        parseCase({ goal: "g", category: "blueprint", planners: ["scripted"], expect: {} }, "/x/b/case.yaml"),
      ).message,
    ).toMatch(/planners: the scripted planner needs model/);
    expect(
      caught(() => parseCase({ goal: "g", category: "nonsense", expect: {} }, "/x/c/case.yaml")).message,
    ).toMatch(/category: must be one of blueprint/);
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
        "category",
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
    writeFileSync(file, "id: broken\ncategory: blueprint\ngoal: [unclosed\nexpect: {}\n");
    const broken = caught(() => loadCaseFile(file));
    expect(broken.issues[0]?.path).toMatch(/^line \d+, column \d+$/);
    const setup = caught(() => loadCaseFile(join(FIXTURES, "bad-setup-case.yaml")));
    expect(setup.message).toMatch(/setup\.vlan-30\.resources\[1\]\.name: the name is already used/);
  });

  it("rejects an unknown field, a regex that does not compile, and `second` without repeat", () => {
    const base = { id: "x", goal: "a goal", category: "blueprint", expect: { outcome: "succeeded" } };
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
        category: "blueprint",
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
        category: "blueprint",
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

  it("takes emulated providers only with a setup script, among the providers, without mock world or faults", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-evals-test-"));
    temps.push(dir);
    const file = join(dir, "case.yaml");
    const base = { goal: "g", category: "blueprint", expect: {}, emulators: ["aws"] };
    expect(caught(() => parseCase(base, file)).issues).toEqual([
      { path: "emulators", message: "emulated providers need a setup.sh beside case.yaml that starts them" },
    ]);
    writeFileSync(join(dir, "setup.sh"), "exit 0\n");
    expect(parseCase(base, file).emulators).toEqual(["aws"]);
    const wrong = caught(() =>
      parseCase({ ...base, providers: ["opnsense"], faults: { aws: { MOCK_CRASH: "1" } } }, file),
    );
    expect(wrong.issues.map((issue) => issue.message)).toEqual([
      "aws is emulated but not among the case's providers",
      "world and faults are the mock's; aws is emulated (arm its faults in setup.sh)",
    ]);
  });
});
