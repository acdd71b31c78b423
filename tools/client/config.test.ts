import { describe, expect, it } from "vitest";
import { parseServers } from "./config.ts";
import type { ConfigIssue } from "./errors.ts";

describe("parseServers, the part of the config the client checks", () => {
  it("normalizes good entries and reports every bad one with its path", () => {
    const issues: ConfigIssue[] = [];
    const servers = parseServers(
      {
        aws: { builtin: "mock", env: { PORT: 3000, DEBUG: true } },
        web: { url: "ftp://nowhere" },
        "bad name": { command: "x" },
        both: { command: "x", url: "http://127.0.0.1:1/mcp" },
      },
      issues,
    );
    expect(servers).toEqual({ aws: { builtin: "mock", env: { PORT: "3000", DEBUG: "true" } } });
    expect(issues.map((issue) => issue.path)).toEqual([
      "mcpServers.web.url",
      "mcpServers.bad name",
      "mcpServers.both",
    ]);
  });

  it("leaves anything but a map to the caller's top-level check", () => {
    const issues: ConfigIssue[] = [];
    expect(parseServers(["aws"], issues)).toEqual({});
    expect(issues).toEqual([]);
  });
});
