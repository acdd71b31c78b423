import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../tools/client/index.ts";
import { loadConfig, SANDBOX_NOTICE } from "./config.ts";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mcp-iac-config-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): void {
  writeFileSync(join(dir, name), text);
}

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("serves the sandbox profile when there is no config file", () => {
    const loaded = loadConfig({ cwd: dir });
    expect(loaded.sandbox).toBe(true);
    expect(loaded.source).toBe("sandbox");
    expect(loaded.config.mcpServers).toEqual({
      opnsense: { builtin: "mock" },
      aws: { builtin: "mock" },
      kubernetes: { builtin: "mock" },
      docker: { builtin: "mock" },
    });
    expect(loaded.config.policies).toEqual(["builtin:baseline"]);
    expect(loaded.config.state).toEqual({ backend: "file" });
    for (const word of ["opnsense", "aws", "kubernetes", "docker", "nothing real", "agent init"]) {
      expect(SANDBOX_NOTICE).toContain(word);
    }
  });

  it("reads the YAML file of design §7, all three kinds of server", () => {
    write(
      "mcp-iac.config.yaml",
      [
        "mcpServers:",
        "  opnsense: { command: agent, args: [provider, opnsense], env: { OPNSENSE_URL: 'https://fw.lan', PORT: 8443 } }",
        "  aws:      { url: 'http://127.0.0.1:3001/mcp', headers: { Authorization: 'Bearer x' }, timeoutMs: 5000 }",
        "  docker:   { builtin: docker, parallelism: 2 }",
        "model:    { provider: anthropic, name: claude-sonnet-4-5 }",
        "policies: [ builtin:baseline, ./policies/ours.yaml ]",
        "state:    { backend: 'postgres://u@localhost/iac' }",
      ].join("\n"),
    );
    const loaded = loadConfig({ cwd: dir });
    expect(loaded.sandbox).toBe(false);
    expect(loaded.source).toBe(join(dir, "mcp-iac.config.yaml"));
    expect(loaded.config).toEqual({
      mcpServers: {
        opnsense: {
          command: "agent",
          args: ["provider", "opnsense"],
          env: { OPNSENSE_URL: "https://fw.lan", PORT: "8443" },
        },
        aws: { url: "http://127.0.0.1:3001/mcp", headers: { Authorization: "Bearer x" }, timeoutMs: 5000 },
        docker: { builtin: "docker", parallelism: 2 },
      },
      model: { provider: "anthropic", name: "claude-sonnet-4-5" },
      policies: ["builtin:baseline", "./policies/ours.yaml"],
      state: { backend: "postgres://u@localhost/iac" },
    });
  });

  it("reads .json, and an explicit --config relative to cwd", () => {
    mkdirSync(join(dir, "conf"));
    writeFileSync(
      join(dir, "conf", "mine.json"),
      JSON.stringify({ mcpServers: { local: { builtin: "local" } } }),
    );
    const loaded = loadConfig({ cwd: dir, configFile: "conf/mine.json" });
    expect(loaded.config.mcpServers).toEqual({ local: { builtin: "local" } });
    expect(loaded.source).toBe(join(dir, "conf", "mine.json"));

    write("mcp-iac.config.json", JSON.stringify({ mcpServers: { a: { command: "x" } }, model: "gpt-4o" }));
    expect(loadConfig({ cwd: dir }).config).toEqual({
      mcpServers: { a: { command: "x" } },
      model: { name: "gpt-4o" },
    });
  });

  it("names a missing --config file", () => {
    const error = configErrorOf(() => loadConfig({ cwd: dir, configFile: "nope.yaml" }));
    expect(error.file).toBe("nope.yaml");
    expect(error.message).toBe("nope.yaml: file not found; check the --config path");
  });

  it("reports malformed YAML with the file and the line, without a stack trace", () => {
    write("mcp-iac.config.yaml", 'mcpServers:\n  aws: { url: "http://x"\n  b: 1\n');
    const error = configErrorOf(() => loadConfig({ cwd: dir }));
    expect(error.message).toMatch(/^mcp-iac\.config\.yaml: is not valid YAML \(line \d+, column \d+\): /);
    expect(error.message).not.toContain("    at ");
  });

  it("reports malformed JSON", () => {
    write("mcp-iac.config.json", "{ mcpServers: ");
    expect(configErrorOf(() => loadConfig({ cwd: dir })).message).toMatch(
      /^mcp-iac\.config\.json: is not valid JSON/,
    );
  });

  it("refuses an unknown top-level key, naming it", () => {
    write("mcp-iac.config.yaml", "mcpServers: { a: { command: x } }\nservers: {}\n");
    const error = configErrorOf(() => loadConfig({ cwd: dir }));
    expect(error.path).toBe("servers");
    expect(error.message).toBe(
      'mcp-iac.config.yaml: servers: unknown top-level key "servers"; a config holds only mcpServers, model, policies, state',
    );
  });

  it("names the path of a bad url and says what a good one looks like", () => {
    write("mcp-iac.config.yml", "mcpServers:\n  aws: { url: 'ftp://example.com/mcp' }\n");
    const error = configErrorOf(() => loadConfig({ cwd: dir }));
    expect(error.file).toBe("mcp-iac.config.yml");
    expect(error.path).toBe("mcpServers.aws.url");
    expect(error.message).toContain(
      "mcp-iac.config.yml: mcpServers.aws.url: url must be an http:// or https:// address",
    );
  });

  it("reports every problem in the server entries at once, each with its path", () => {
    write(
      "mcp-iac.config.yaml",
      [
        "mcpServers:",
        "  both: { command: x, url: 'http://127.0.0.1:1/mcp' }",
        "  none: { args: [a] }",
        "  typo: { command: x, arg: [a] }",
        "  slow: { builtin: mock, timeoutMs: -5 }",
        "  'bad name': { command: x }",
        "  list: [1, 2]",
      ].join("\n"),
    );
    const error = configErrorOf(() => loadConfig({ cwd: dir }));
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "mcpServers.both",
      "mcpServers.none",
      "mcpServers.typo.arg",
      "mcpServers.slow.timeoutMs",
      "mcpServers.bad name",
      "mcpServers.list",
    ]);
    expect(error.message).toContain("has both command and url; keep only one");
    expect(error.message).toContain('unknown key "arg"; a command server takes command, args, env, cwd');
    expect(error.message).toContain("timeoutMs must be greater than 0");
    expect(error.message).toMatch(/^mcp-iac\.config\.yaml has 6 problems:/);
  });

  it("names a builtin that this installation does not have, at load time", () => {
    write("mcp-iac.config.yaml", "mcpServers:\n  fw: { builtin: opnsens }\n  ok: { builtin: mock }\n");
    const error = configErrorOf(() => loadConfig({ cwd: dir, builtins: ["mock", "docker", "local"] }));
    expect(error.issues).toEqual([
      {
        path: "mcpServers.fw.builtin",
        message: 'there is no built-in provider "opnsens"; the built-ins are mock, docker, local',
      },
    ]);
    expect(error.message).toMatch(/^mcp-iac\.config\.yaml: mcpServers\.fw\.builtin/);
  });

  it("checks policies, state and an empty server map", () => {
    write("mcp-iac.config.yaml", "mcpServers: {}\npolicies: builtin:baseline\nstate: { backend: mysql }\n");
    const error = configErrorOf(() => loadConfig({ cwd: dir }));
    expect(error.issues.map((issue) => issue.path)).toEqual(["mcpServers", "policies", "state.backend"]);
    expect(error.message).toContain("mcpServers is empty");
    expect(error.message).toContain('backend must be "file" or a postgres:// connection string');
    // The backend value may hold a password: it is not echoed.
    expect(error.message).not.toContain("mysql");
  });

  it("refuses an empty file and two config files side by side", () => {
    write("mcp-iac.config.yaml", "");
    expect(configErrorOf(() => loadConfig({ cwd: dir })).message).toContain("is empty");
    write("mcp-iac.config.json", "{}");
    expect(configErrorOf(() => loadConfig({ cwd: dir })).message).toContain("more than one config file here");
  });
});
