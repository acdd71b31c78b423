import { describe, expect, it } from "vitest";
import { issueLine, issueList, problems, renderIssues, SHOWN_ISSUES } from "./issues.ts";

describe("issue rendering", () => {
  it("one issue reads as a sentence, several as a list", () => {
    expect(renderIssues("policy p.yaml", [{ path: "rules[0]", message: "no id" }])).toBe(
      "policy p.yaml: rules[0]: no id",
    );
    expect(
      renderIssues("f.yaml", [
        { path: "", message: "not YAML" },
        { path: "a.b", message: "missing" },
      ]),
    ).toBe("f.yaml has 2 problems:\n  - not YAML\n  - a.b: missing");
  });

  it("names the resource before the path and cuts what the user typed", () => {
    expect(issueLine({ resource: "web", path: "properties.port", message: "not a number" })).toBe(
      "web: properties.port: not a number",
    );
    expect(issueLine({ path: "p".repeat(500), message: "m" })).toContain("… (500 characters): m");
  });

  it("sums up what is past the limit in one line", () => {
    const many = Array.from({ length: SHOWN_ISSUES + 7 }, (_, index) => ({
      path: `r${index}`,
      message: "bad",
    }));
    const lines = issueList(many).split("\n");
    expect(lines).toHaveLength(SHOWN_ISSUES + 1);
    expect(lines.at(-1)).toBe("  - … and 7 more");
    expect([problems(1), problems(2)]).toEqual(["1 problem", "2 problems"]);
  });
});
