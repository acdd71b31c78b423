/**
 * Start-up figures of the built package (dist/, what `npm install -g` runs), each against a bare
 * `node -e 0` measured in the same run, so a loaded machine slows both sides and the ratio holds.
 * Medians of several runs; CPU is the child's user+system time, with the provider processes it
 * started and reaped (Linux: /proc/self/stat's cutime and cstime), "n/a" elsewhere.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const AGENT = join(ROOT, "dist/bin/agent.js");
export const README_GOAL = "deploy a web app with a load balancer and a postgres database";

export interface Timing {
  wallMs: number;
  /** User + system CPU of the process and the children it reaped; undefined where not measurable. */
  cpuMs: number | undefined;
}

/** CPU time of the children this process has waited for, in ms (Linux). */
function childrenCpuMs(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    // After "pid (comm) ": state is field 0, so cutime and cstime (fields 16 and 17 of stat) are 13 and 14.
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

function timeRun(args: string[], cwd: string): Timing {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: cleanEnv() });
  const wallMs = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr || result.stdout}`);
  const cpuAfter = childrenCpuMs();
  return {
    wallMs,
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  };
}

/** No model keys: the README's first command runs the offline planner, as on a fresh machine. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "MCP_IAC_MODEL"]) delete env[key];
  return env;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function medianTiming(runs: Timing[]): Timing {
  const cpu = runs.map((run) => run.cpuMs).filter((value): value is number => value !== undefined);
  return {
    wallMs: median(runs.map((run) => run.wallMs)),
    cpuMs: cpu.length === runs.length ? median(cpu) : undefined,
  };
}

function repeat(times: number, run: () => Timing): Timing {
  return medianTiming(Array.from({ length: times }, run));
}

/** Milliseconds from spawning `agent provider NAME` to its answer to MCP `initialize`. */
async function providerInitializeMs(name: string, cwd: string): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, [AGENT, "provider", name], {
    cwd,
    stdio: ["pipe", "pipe", "ignore"],
  });
  const request = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  };
  child.stdin.write(`${JSON.stringify(request)}\n`);
  try {
    return await new Promise<number>((resolve, reject) => {
      let buffered = "";
      child.stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        if (buffered.includes('"id":1')) resolve(performance.now() - start);
      });
      child.on("exit", (code) => reject(new Error(`agent provider ${name} exited ${code} before answering`)));
    });
  } finally {
    child.stdin.end();
    child.kill();
  }
}

export interface StartupFigures {
  nodeMs: number;
  helpMs: number;
  providerMs: Record<string, number>;
  readme: Timing;
  plan: Timing;
}

export async function benchStartup(runs = 5): Promise<StartupFigures> {
  if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run npm run build first`);
  const scratch = mkdtempSync(join(tmpdir(), "mcp-iac-startup-"));
  try {
    const nodeMs = repeat(runs, () => timeRun(["-e", "0"], scratch)).wallMs;
    const helpMs = repeat(runs, () => timeRun([AGENT, "--help"], scratch)).wallMs;
    const providerMs: Record<string, number> = {};
    for (const name of ["mock", "local", "docker"]) {
      const times: number[] = [];
      for (let run = 0; run < runs; run++) times.push(await providerInitializeMs(name, scratch));
      providerMs[name] = median(times);
    }
    // Each run in a fresh empty folder, as the README's reader starts.
    let fresh = 0;
    const freshFolder = () => {
      const dir = join(scratch, `fresh-${fresh++}`);
      spawnSync("mkdir", [dir]);
      return dir;
    };
    const readme = repeat(runs, () => timeRun([AGENT, README_GOAL, "--yes"], freshFolder()));
    const example = join(ROOT, "examples/customer-portal.yaml");
    const plan = repeat(runs, () => timeRun([AGENT, "plan", "-f", example], freshFolder()));
    return { nodeMs, helpMs, providerMs, readme, plan };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatStartup(figures: StartupFigures): string[] {
  const ratio = (ms: number) => `${(ms / figures.nodeMs).toFixed(1)}×`;
  const ms = (value: number | undefined) => (value === undefined ? "n/a" : `${Math.round(value)} ms`);
  return [
    `node -e 0                          ${ms(figures.nodeMs)}   (the unit of the ratios below)`,
    `agent --help                       ${ms(figures.helpMs)}  ${ratio(figures.helpMs)}   (target ≤ 3×)`,
    ...Object.entries(figures.providerMs).map(
      ([name, value]) =>
        `agent provider ${name.padEnd(7)} initialize ${ms(value)}  ${ratio(value)}   (target ≤ 5×)`,
    ),
    `README's first command, fresh dir  ${ms(figures.readme.wallMs)} wall, ${ms(figures.readme.cpuMs)} CPU   (target ≤ 2,000 ms wall, ≤ 2,500 ms CPU)`,
    `agent plan -f customer-portal      ${ms(figures.plan.wallMs)} wall, ${ms(figures.plan.cpuMs)} CPU   (target ≤ 1,200 ms)`,
  ];
}
