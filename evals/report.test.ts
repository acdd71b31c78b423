import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { caseRates, groupRates } from "./metrics.ts";
import { compareReports, formatTable, readReport, reportDocument } from "./report.ts";
import { renderHtml } from "./report-html.ts";
import type { EvalResult, EvalSummary } from "./runner.ts";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-report-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function result(
  id: string,
  planner: EvalResult["planner"],
  ok: boolean,
  extra: Partial<EvalResult> = {},
): EvalResult {
  return {
    id,
    planner,
    run: 1,
    category: id.startsWith("drift") ? "drift" : "blueprint",
    difficulty: "easy",
    ok,
    status: ok ? "pass" : "fail",
    durationMs: 1500,
    failures: ok ? [] : ["outcome: expected succeeded, got failed"],
    outcome: ok ? "succeeded" : "failed",
    modelCalls: planner === "offline" ? 0 : 2,
    tokens:
      planner === "offline" ? { input: 0, output: 0, cached: 0 } : { input: 4000, output: 300, cached: 3000 },
    retries: 1,
    rollbacks: 0,
    ...extra,
  };
}

function summaryOf(results: EvalResult[]): EvalSummary {
  const rates = caseRates(results, 1);
  return {
    results,
    passed: results.filter((r) => r.status === "pass").length,
    failed: results.filter((r) => r.status === "fail").length,
    skipped: 0,
    knownGaps: 0,
    planner: "scripted, offline",
    planners: ["scripted", "offline"],
    repeat: 1,
    durationMs: 42_000,
    rates,
    byCategory: groupRates(rates, "category"),
    byPlanner: groupRates(rates, "planner"),
  };
}

const A = summaryOf([
  result("dns", "offline", true),
  result("drift-x", "scripted", false),
  result("vlan", "offline", true),
]);
const B = summaryOf([
  result("dns", "offline", false),
  result("drift-x", "scripted", true),
  result("new", "offline", true),
]);

describe("the eval report", () => {
  it("prints a table with the run's columns, then pass rates per planner and per category", () => {
    const lines = formatTable(A);
    expect(lines[0]).toMatch(/^case +planner +pass +time +calls +tok in +out +cached +retries +rollbacks$/);
    expect(lines).toContainEqual(
      expect.stringMatching(/^drift-x +scripted +FAIL +1\.5s +2 +4000 +300 +3000 +1 +0$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^offline +2 +100%$/));
    expect(lines).toContainEqual(expect.stringMatching(/^drift +scripted +1 +0%$/));
  });

  it("compares two --json reports: better, worse, added and removed cases", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "a.json"), JSON.stringify(reportDocument(A, 1)));
    writeFileSync(join(dir, "b.json"), JSON.stringify(reportDocument(B, 1)));
    const comparison = compareReports(readReport(join(dir, "a.json")), readReport(join(dir, "b.json")));
    expect(comparison.better).toEqual(["drift-x [scripted]: pass 0% -> 100%"]);
    expect(comparison.worse).toEqual(["dns [offline]: pass 100% -> 0%"]);
    expect(comparison.added).toEqual(["new [offline]"]);
    expect(comparison.removed).toEqual(["vlan [offline]"]);
    writeFileSync(join(dir, "c.json"), "{}");
    expect(() => readReport(join(dir, "c.json"))).toThrow(/is not an `agent eval --json` report/);
    expect(() => readReport(join(dir, "missing.json"))).toThrow(/cannot be read as an eval report/);
  });

  it("writes one self-contained HTML file with the four charts and the runs", () => {
    const html = renderHtml(reportDocument(A, 1));
    for (const id of ["pass-by-planner", "pass-by-category", "tokens-per-case", "time-per-case"])
      expect(html).toContain(`<svg id="${id}"`);
    // Nothing is fetched: no script, stylesheet or image from elsewhere.
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  });
});

const CHROMIUM = ["chromium", "chromium-browser"].find(
  (name) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0,
);

describe.skipIf(!CHROMIUM)("the HTML report in headless Chromium (Debian's chromium)", () => {
  it("renders every chart's bars and the table, and paints a non-blank page", () => {
    const dir = tempDir();
    const file = join(dir, "report.html");
    writeFileSync(file, renderHtml(reportDocument(A, 1)));
    const flags = [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      `--user-data-dir=${join(dir, "profile")}`,
    ];
    const dom = execFileSync(CHROMIUM!, [...flags, "--dump-dom", `file://${file}`], {
      encoding: "utf8",
      timeout: 50_000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    // The DOM as Chromium built it: the SVG charts parsed into elements with their bars.
    const chart = (id: string) =>
      dom.slice(dom.indexOf(`<svg id="${id}"`), dom.indexOf("</svg>", dom.indexOf(`<svg id="${id}"`)));
    expect(chart("pass-by-planner").match(/<rect class="bar"/g)).toHaveLength(2);
    expect(chart("pass-by-category").match(/<rect class="bar"/g)).toHaveLength(2);
    expect(chart("time-per-case").match(/<rect class="bar"/g)).toHaveLength(3);
    expect(dom).toContain("2 passed, 1 failed");
    const png = join(dir, "report.png");
    execFileSync(CHROMIUM!, [...flags, `--screenshot=${png}`, "--window-size=1000,1400", `file://${file}`], {
      timeout: 50_000,
      stdio: "ignore",
    });
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString()).toBe("PNG");
    // A blank white page compresses to a few KB; charts and a table do not.
    expect(statSync(png).size).toBeGreaterThan(15_000);
  }, 120_000);
});

if (!CHROMIUM) {
  describe("the HTML report in headless Chromium", () => {
    it.skip("needs Debian's chromium (apt-get install -y chromium; .ci/run installs it)", () => {});
  });
}
