import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ConfigError } from "../tools/client/errors.ts";
import { loadConfig, parseConfig } from "./config.ts";

/** Runs `work`; anything it throws must be a ConfigError naming the file, never a raw TypeError. */
function configOutcome(work: () => unknown, file: string): "ok" | "refused" {
  try {
    work();
    return "ok";
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    expect(error.message).toContain(file);
    return "refused";
  }
}

const serverEntry = fc.oneof(
  fc.record(
    {
      command: fc.oneof(fc.constantFrom("npx", "node", ""), fc.anything()),
      args: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), fc.anything()),
      env: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 })), fc.anything()),
      timeoutMs: fc.oneof(fc.integer(), fc.double(), fc.anything()),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      url: fc.oneof(fc.constantFrom("http://127.0.0.1:1/mcp", "ftp://x", "not a url"), fc.anything()),
      headers: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    { builtin: fc.oneof(fc.constantFrom("opnsense", "aws", "nope"), fc.anything()) },
    { requiredKeys: [] },
  ),
  fc.anything(),
);
const configObject = fc.oneof(
  fc.record(
    {
      mcpServers: fc.oneof(
        fc.dictionary(
          fc.oneof(fc.constantFrom("aws", "opnsense", "bad name", ""), fc.string()),
          serverEntry,
          {
            maxKeys: 3,
          },
        ),
        fc.anything(),
      ),
      model: fc.anything(),
      state: fc.oneof(fc.record({ backend: fc.constantFrom("file", "postgres://x", "nope") }), fc.anything()),
      policies: fc.anything(),
      limits: fc.anything(),
    },
    { requiredKeys: [] },
  ),
  fc.anything(),
);

const dir = mkdtempSync(join(tmpdir(), "mcp-iac-config-fuzz-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("configs, for any input", () => {
  it("parseConfig of any value gives a config or a ConfigError", () => {
    fc.assert(
      fc.property(configObject, (raw) => {
        configOutcome(() => parseConfig(raw, "fuzz.yaml"), "fuzz.yaml");
      }),
      { numRuns: 200 },
    );
  });

  it("loading any YAML or JSON file, config-shaped or not, gives a config or a ConfigError (exit 2)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          configObject.map((object) => ({ name: "mcp-iac.config.yaml", text: yamlOf(object) })),
          configObject.map((object) => ({ name: "custom.json", text: JSON.stringify(object) ?? "" })),
          fc.string({ maxLength: 120 }).map((text) => ({ name: "mcp-iac.config.yaml", text })),
          fc.string({ maxLength: 120 }).map((text) => ({ name: "custom.json", text })),
          // Found by this property: an alias with no anchor threw a raw ReferenceError.
          fc
            .constantFrom("*!", "mcpServers: *nowhere", "a: &a [*a, *a]", "mcpServers:\n  x: !!binary ~")
            .map((text) => ({ name: "mcp-iac.config.yaml", text })),
        ),
        ({ name, text }) => {
          writeFileSync(join(dir, name), text);
          configOutcome(
            () =>
              loadConfig({
                cwd: dir,
                ...(name === "custom.json" ? { configFile: name } : {}),
                builtins: ["opnsense", "aws"],
              }),
            name,
          );
          rmSync(join(dir, name));
        },
      ),
      { numRuns: 150 },
    );
  });
});

function yamlOf(value: unknown): string {
  try {
    return (stringify(value) as string | undefined) ?? "";
  } catch {
    return "";
  }
}
