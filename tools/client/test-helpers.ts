import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ServerEntry } from "./config-schema.ts";
import type { ProviderClientsOptions } from "./registry.ts";

/** The stdio fixture provider; tests run on Node ≥22.18, so process.execPath runs .ts directly. */
export const FIXTURE = fileURLToPath(new URL("./fixtures/test-provider.ts", import.meta.url));

export function fixtureEntry(env: Record<string, string> = {}): ServerEntry {
  return { command: process.execPath, args: [FIXTURE], env };
}

export function clientOptions(overrides: Partial<ProviderClientsOptions> = {}): ProviderClientsOptions {
  return {
    cwd: process.cwd(),
    builtinCommand: { command: process.execPath, args: [FIXTURE] },
    defaultTimeoutMs: 30_000,
    killGraceMs: 500,
    ...overrides,
  };
}

/** Whether a process is alive; a zombie (exited, not yet reaped by its new parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Names of the servers that started, from the fixtures' spawn log. */
export function spawned(log: string): string[] {
  try {
    return readFileSync(log, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ")[0]!);
  } catch {
    return [];
  }
}
