import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sandboxConfig } from "../agent/config.ts";
import type { Deployment } from "../agent/engine/spec.ts";
import { applyDeployment } from "../agent/operations.ts";
import { createFileBackend, type FsyncMode } from "../agent/state/index.ts";
import { PROVIDER_NODE_FLAGS } from "../cli/workspace.ts";
import { ProviderClients } from "../tools/client/index.ts";
import type { Resource } from "../tools/protocol/index.ts";

/** A seeded PRNG so every run benchmarks the same graph. */
function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random DAG over the four sandbox prefixes, with references and dependsOn edges. */
export function largeDeployment(count: number, seed = 7): Deployment {
  const random = mulberry32(seed);
  const resources: Resource[] = [];
  for (let index = 0; index < count; index++) {
    const name = `r${index}`;
    const earlier = () => `r${Math.max(0, index - 1 - Math.floor(random() * Math.min(index, 400)))}`;
    const deps = index > 0 && random() < 0.8 ? [earlier()] : [];
    switch (index % 4) {
      case 0:
        resources.push({
          type: "opnsense:service:dns:override",
          name,
          properties: {
            host: `h${index}`,
            domain: "bench.lan",
            ip: `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255 || 1}`,
          },
          ...(deps.length ? { dependsOn: deps } : {}),
        });
        break;
      case 1:
        resources.push({
          type: "aws:s3:bucket",
          name,
          properties: { bucketName: `bench-${index}`, versioning: false },
          ...(deps.length ? { dependsOn: deps } : {}),
        });
        break;
      case 2:
        resources.push({
          type: "kubernetes:core:configmap",
          name,
          properties: { namespace: "bench", data: { upstream: index > 0 ? `\${${earlier()}.id}` : "none" } },
        });
        break;
      default:
        resources.push({
          type: "docker:volume:create",
          name,
          properties: { driver: "local" },
          ...(deps.length ? { dependsOn: deps } : {}),
        });
    }
  }
  return { name: "bench", resources };
}

/** BENCH_FSYNC=never|always|begin: the state journal's fsync mode (default begin), to see its cost. */
function fsyncOption(): { fsync?: FsyncMode } {
  const mode = process.env["BENCH_FSYNC"];
  return mode === "never" || mode === "always" || mode === "begin" ? { fsync: mode } : {};
}

const BUILT_AGENT = fileURLToPath(new URL("../dist/bin/agent.js", import.meta.url));
const SOURCE_AGENT = fileURLToPath(new URL("../bin/agent.js", import.meta.url));

/**
 * The servers run as an installed agent runs them: the built package (dist/, which `npm run bench`
 * builds first) with the CLI's V8 flags. Run from the sources, each would also carry Node's
 * TypeScript stripper (~20 MB). Without a build, the sources serve, and the figures say so.
 */
export function benchServers(): { from: "dist" | "sources"; agent: string } {
  return existsSync(BUILT_AGENT)
    ? { from: "dist", agent: BUILT_AGENT }
    : { from: "sources", agent: SOURCE_AGENT };
}

/** BENCH_CPU_PROF=dir: each provider process writes a V8 CPU profile there when it exits. */
function profileArgs(): string[] {
  const dir = process.env["BENCH_CPU_PROF"];
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}

/** User + system CPU of a live process, from /proc (clock ticks are 100 Hz on Linux). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

function peakKb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface LargeApplyFigures {
  resources: number;
  /** CPU time of the orchestrator and of each provider process, user + system. */
  orchestratorCpuMs: number;
  providerCpuMs: number[];
  planMs: number;
  applyMs: number;
  wallMs: number;
  orchestratorPeakRssMb: number;
  providerPeakRssMb: number[];
  /** Apply time per resource: what each change costs once the servers run and the plan is made. */
  perResourceUs: number;
  outcome: string;
}

/** Plan + apply of a large graph through the stdio mock provider with no latency (issue 2, bench a). */
export async function benchLargeApply(count = 10_000, parallelism = 10): Promise<LargeApplyFigures> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-bench-"));
  const clients = new ProviderClients(sandboxConfig().mcpServers, {
    cwd: dir,
    builtinCommand: {
      command: process.execPath,
      args: [...profileArgs(), ...PROVIDER_NODE_FLAGS, benchServers().agent],
    },
  });
  const state = createFileBackend(join(dir, ".mcp-iac"), fsyncOption());
  const deployment = largeDeployment(count);
  let planMs = 0;
  let planReadyAt = 0;
  const started = performance.now();
  try {
    const output = await applyDeployment(
      {
        gateway: clients,
        state,
        emit: (event) => {
          if (event.type === "plan.ready") {
            planReadyAt = performance.now();
            planMs = planReadyAt - started;
          }
        },
      },
      deployment,
      { approve: async () => true, parallelism },
    );
    const wallMs = performance.now() - started;
    const providerPeaks = clients.serverNames().map((name) => peakKb(clients.pidOf(name)) ?? 0);
    const providerCpu = clients.serverNames().map((name) => cpuMs(clients.pidOf(name)));
    const ownCpu = process.cpuUsage();
    return {
      resources: count,
      orchestratorCpuMs: Math.round((ownCpu.user + ownCpu.system) / 1000),
      providerCpuMs: providerCpu,
      planMs: Math.round(planMs),
      applyMs: Math.round(wallMs - planMs),
      wallMs: Math.round(wallMs),
      orchestratorPeakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      providerPeakRssMb: providerPeaks.map((kb) => Math.round(kb / 1024)),
      perResourceUs: Math.round(((wallMs - planMs) * 1000) / count),
      outcome: output.report?.outcome ?? "not applied",
    };
  } finally {
    await clients.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The bench in its own process, so each size's peak RSS is its own (a process's peak only grows).
 * `node bench/apply-large.ts N [PARALLELISM]` prints the figures as JSON.
 */
export async function largeApplyInChild(count: number, parallelism: number): Promise<LargeApplyFigures> {
  const script = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, [script, String(count), String(parallelism)], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`apply-large ${count} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as LargeApplyFigures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 10_000);
  const parallelism = Number(process.argv[3] ?? 10);
  console.log(JSON.stringify(await benchLargeApply(count, parallelism), null, 2));
}
