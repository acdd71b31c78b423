import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { stringify } from "yaml";
import { ProviderClients } from "../../tools/client/index.ts";
import type { ListedResource } from "../../tools/protocol/index.ts";
import { scaled } from "../timeouts.ts";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const AGENT = join(REPO, "bin", "agent.js");
export const PREFIXES = ["opnsense", "aws", "kubernetes", "docker"] as const;

/** A throwaway working folder, optionally with a config whose mock servers carry extra env. */
export function tempProject(
  options: {
    env?: Partial<Record<(typeof PREFIXES)[number], Record<string, string>>>;
    config?: boolean;
  } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-e2e-"));
  copyFileSync(join(REPO, "examples", "customer-portal.yaml"), join(dir, "customer-portal.yaml"));
  if (options.config || options.env) writeConfig(dir, options.env ?? {});
  return dir;
}

export function writeConfig(
  dir: string,
  env: Partial<Record<(typeof PREFIXES)[number], Record<string, string>>>,
): void {
  const mcpServers: Record<string, unknown> = {};
  for (const prefix of PREFIXES)
    mcpServers[prefix] = { builtin: "mock", ...(env[prefix] ? { env: env[prefix] } : {}) };
  writeFileSync(join(dir, "mcp-iac.config.yaml"), stringify({ mcpServers }));
}

export function writeSpec(dir: string, file: string, spec: unknown): string {
  const path = join(dir, file);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, typeof spec === "string" ? spec : stringify(spec));
  return path;
}

export interface AgentRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the real binary, as a user would, on the Node that runs the tests. */
export async function agent(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<AgentRun> {
  const result = await execa(process.execPath, [AGENT, ...args], {
    cwd,
    env: { NO_COLOR: "1", ...env },
    reject: false,
    stdin: "ignore",
    timeout: scaled(120_000),
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function agentProcess(args: string[], cwd: string): ResultPromise {
  return execa(process.execPath, [AGENT, ...args], {
    cwd,
    env: { NO_COLOR: "1" },
    reject: false,
    stdin: "ignore",
    buffer: true,
  });
}

/** What the mock worlds hold for a deployment, asked through the providers themselves. */
export async function worldResources(dir: string, deploymentId: string): Promise<ListedResource[]> {
  const servers = Object.fromEntries(PREFIXES.map((prefix) => [prefix, { builtin: "mock" }]));
  const clients = new ProviderClients(servers, {
    cwd: dir,
    builtinCommand: { command: process.execPath, args: [AGENT] },
  });
  try {
    const all: ListedResource[] = [];
    for (const prefix of PREFIXES) {
      const envelope = await clients.call(prefix, "listResources", { filter: { deploymentId } });
      if (!envelope.success || !envelope.data)
        throw new Error(`listResources on ${prefix} failed: ${JSON.stringify(envelope.error)}`);
      all.push(...envelope.data.resources);
    }
    return all;
  } finally {
    await clients.close();
  }
}

export function json<T = Record<string, unknown>>(run: AgentRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${run.exitCode}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`,
    );
  }
}
