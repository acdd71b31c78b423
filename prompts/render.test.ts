import { describe, expect, it } from "vitest";
import { compileTemplate, PromptTemplateError, renderTemplate } from "./render.ts";

const render = (source: string, input: Record<string, unknown>) =>
  renderTemplate(compileTemplate("test.v1", source), input);

describe("renderTemplate", () => {
  it("substitutes variables, dotted paths and list items", () => {
    expect(render("{{a}} and {{b.c}}", { a: "x", b: { c: 2 } })).toBe("x and 2");
    expect(render("{{#each xs}}[{{this}}]{{/each}}", { xs: ["a", "b"] })).toBe("[a][b]");
  });

  it("resolves item fields first, then the enclosing scopes", () => {
    const out = render("{{#each rows}}{{name}}@{{host}} {{/each}}", {
      rows: [{ name: "a" }, { name: "b", host: "inner" }],
      host: "outer",
    });
    expect(out).toBe("a@outer b@inner ");
  });

  it("renders the else part for an empty list only", () => {
    const source = "{{#each xs}}{{this}}{{else}}none{{/each}}";
    expect(render(source, { xs: [] })).toBe("none");
    expect(render(source, { xs: [1] })).toBe("1");
  });

  it("drops lines that hold only a block tag", () => {
    const source = "list:\n{{#each xs}}\n  - {{this}}\n{{/each}}\nend";
    expect(render(source, { xs: ["a", "b"] })).toBe("list:\n  - a\n  - b\nend");
  });

  it("never scans substituted text again", () => {
    expect(render("goal: {{goal}}", { goal: "{{secret}} {{#each x}}" })).toBe("goal: {{secret}} {{#each x}}");
  });

  it("rejects a missing variable, naming it and the template", () => {
    expect(() => render("{{a}} {{b}}", { a: 1 })).toThrow('prompt template test.v1: missing variable "b"');
    expect(() => render("{{a.b}}", { a: {} })).toThrow('missing variable "a.b"');
    expect(() => render("{{#each xs}}{{nope}}{{/each}}", { xs: [{}] })).toThrow('missing variable "nope"');
  });

  it("rejects an input the template never uses", () => {
    expect(() => render("{{a}}", { a: 1, extra: 2, more: 3 })).toThrow(
      'unexpected variable(s) "extra", "more"',
    );
  });

  it("counts a variable used only inside a loop as used, even when the list is empty", () => {
    expect(render("{{#each xs}}{{label}}{{/each}}", { xs: [], label: "x" })).toBe("");
  });

  it("prints only text, numbers and booleans", () => {
    expect(() => render("{{a}}", { a: { b: 1 } })).toThrow('"{{a}}" is an object');
    expect(() => render("{{a}}", { a: [1] })).toThrow('"{{a}}" is a list');
    expect(() => render("{{a}}", { a: null })).toThrow('"{{a}}" is null');
    expect(() => render("{{#each a}}{{/each}}", { a: "x" })).toThrow("needs a list");
    expect(render("{{a}} {{b}}", { a: true, b: 0 })).toBe("true 0");
  });

  it("rejects malformed templates when compiling", () => {
    const bad = [
      ["{{#each xs}}open", "never closed"],
      ["{{/each}}", "without an {{#each}}"],
      ["{{else}}", "outside an {{#each}}"],
      ["{{not a name}}", "is not a variable name"],
      ["{{ }}", "is not a variable name"],
      ["{{#if x}}y", 'a "{{" that is not a tag'],
      ["{{#each xs}}{{#if}}{{/each}}", 'a "{{" that is not a tag'],
    ] as const;
    for (const [source, message] of bad) {
      expect(() => compileTemplate("bad.v1", source), source).toThrow(PromptTemplateError);
      expect(() => compileTemplate("bad.v1", source), source).toThrow(message);
    }
  });
});
