import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import type { WorldResource } from "../../tools/providers/mock/catalog-entry.ts";
import { World } from "../../tools/providers/mock/world.ts";
import { PREFIXES } from "../e2e/harness.ts";

/**
 * The hostile trials of issue 10, scaled to CI: random where it matters, reproducible from the
 * seed every summary line prints (TRIALS_SEED=<n> runs the same trials again).
 */
export const SEED = Number(process.env["TRIALS_SEED"]) || Math.floor(Math.random() * 2 ** 31);

/** mulberry32: small, seeded, good enough to pick kill points and faults. */
export function random(seed = SEED): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

/** A working folder whose config has one mock server, opnsense, with `env`: one process to start, not four. */
export function trialProject(env: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-trial-"));
  writeFileSync(
    join(dir, "mcp-iac.config.yaml"),
    stringify({ mcpServers: { opnsense: { builtin: "mock", env } } }),
  );
  return dir;
}

/** The one line of figures a trial file prints, so the CI log shows them. */
export function summary(line: string): void {
  console.log(`${line} (seed ${SEED})`);
}

/** Many small resources in chains four wide, so an apply under latency takes a while. */
export function chainSpec(name: string, count: number) {
  const resources = Array.from({ length: count }, (_, index) => ({
    type: "opnsense:service:dns:override",
    name: `host-${index}`,
    properties: { host: `host-${index}`, domain: "lab.lan", ip: `10.0.0.${index + 1}` },
    ...(index >= 4 ? { dependsOn: [`host-${index - 4}`] } : {}),
  }));
  return { apiVersion: "iac.mcp/v1", kind: "Deployment", metadata: { name }, spec: { resources } };
}

/** What the CLI's mock worlds hold for a deployment, read from their files once the CLI is gone. */
export function worldOnDisk(dir: string, deploymentId: string): WorldResource[] {
  return PREFIXES.flatMap((prefix) => {
    const file = join(dir, ".mcp-iac", "sandbox", `${prefix}.world.json`);
    if (!existsSync(file) && !existsSync(`${file}.journal`)) return [];
    const world = new World({ file });
    try {
      return world.list({ deploymentId });
    } finally {
      world.close();
    }
  });
}

export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Files under `dir` whose text holds `needle`. */
export function filesHolding(dir: string, needle: string): string[] {
  return filesUnder(dir).filter((file) => readFileSync(file).includes(needle));
}
