/**
 * Start-up figures of the built package (dist/, what `npm install -g` runs), each against a bare
 * `node -e 0` measured in the same run, so a loaded machine slows both sides and the ratio holds.
 *
 * Wall time is the median of several runs. CPU is user+system time of the command and every process
 * it started and reaped (the built-in providers): Linux charges a reaped child's time, and its own
 * reaped children's, to the parent's cutime and cstime in /proc/self/stat, as /usr/bin/time reads them.
 * Those count in ticks of 10 ms, so CPU is the mean over the runs (total ticks ÷ runs), not a median of
 * coarse values; "n/a" where /proc is missing. Runs are sequential: nothing here competes with itself.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const AGENT = join(ROOT, "dist/bin/agent.js");
export const README_GOAL = "deploy a web app with a load balancer and a postgres database";

export interface Timing {
  /** Median wall time, ms. */
  wallMs: number;
  /** Mean user + system CPU of the process and the children it reaped, ms; undefined where not measurable. */
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

/** No model keys: the README's first command runs the offline planner, as on a fresh machine. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "MCP_IAC_MODEL", "NODE_OPTIONS"]) delete env[key];
  return env;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Runs `one` `times` times; wall is the median of what each returns, CPU the mean over all of them. */
async function measure(times: number, one: () => Promise<number> | number): Promise<Timing> {
  const cpuBefore = childrenCpuMs();
  const walls: number[] = [];
  for (let run = 0; run < times; run++) walls.push(await one());
  const cpuAfter = childrenCpuMs();
  return {
    wallMs: median(walls),
    cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : (cpuAfter - cpuBefore) / times,
  };
}

/** Wall ms of one `node ARGS` run in `cwd`, to its exit (and so its reaping). */
function wallOf(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, encoding: "utf8", env: { ...cleanEnv(), ...env } });
  const wallMs = performance.now() - start;
  if (result.status !== 0)
    throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr || result.stdout}`);
  return wallMs;
}

/** Wall ms from spawning `agent provider NAME` to its answer to MCP `initialize`; the process is then stopped and reaped. */
async function providerInitializeMs(name: string, cwd: string): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, [AGENT, "provider", name], {
    cwd,
    env: cleanEnv(),
    stdio: ["pipe", "pipe", "ignore"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
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
    // Closing stdin is how a client ends a stdio server; waiting for the exit lets its CPU be counted.
    child.stdin.end();
    const stop = setTimeout(() => child.kill(), 2_000);
    await exited;
    clearTimeout(stop);
  }
}

export interface StartupFigures {
  runs: number;
  node: Timing;
  help: Timing;
  provider: Record<string, Timing>;
  /** The README's first command with an empty compile cache, as the very first run after an install. */
  readmeColdMs: number;
  readme: Timing;
  plan: Timing;
}

export async function benchStartup(runs = 7): Promise<StartupFigures> {
  if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing: run npm run build first`);
  const scratch = mkdtempSync(join(tmpdir(), "mcp-iac-startup-"));
  let fresh = 0;
  // Each README and plan run in a fresh empty folder, as the README's reader starts.
  const freshFolder = () => {
    const dir = join(scratch, `fresh-${fresh++}`);
    mkdirSync(dir);
    return dir;
  };
  try {
    const readmeColdMs = wallOf([AGENT, README_GOAL, "--yes"], freshFolder(), {
      NODE_COMPILE_CACHE: join(scratch, "empty-compile-cache"),
    });
    const node = await measure(runs, () => wallOf(["-e", "0"], scratch));
    const help = await measure(runs, () => wallOf([AGENT, "--help"], scratch));
    const provider: Record<string, Timing> = {};
    for (const name of ["mock", "local", "docker"])
      provider[name] = await measure(runs, () => providerInitializeMs(name, scratch));
    const readme = await measure(runs, () => wallOf([AGENT, README_GOAL, "--yes"], freshFolder()));
    const example = join(ROOT, "examples/customer-portal.yaml");
    const plan = await measure(runs, () => wallOf([AGENT, "plan", "-f", example], freshFolder()));
    return { runs, node, help, provider, readmeColdMs, readme, plan };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const ms = (value: number | undefined) => (value === undefined ? "n/a" : `${Math.round(value)} ms`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? "n/a" : ok ? "PASS" : "MISS");

/** A target and whether the figure meets it; `ok` undefined where the figure cannot be measured. */
type Check = { target: string; ok: boolean | undefined };

/** One row: the figure, its ratios to `node -e 0` (wall and CPU), and PASS/MISS beside each target. */
function row(label: string, timing: Timing, node: Timing, checks: Check[]): string {
  const wallRatio = `${(timing.wallMs / node.wallMs).toFixed(1)}×`;
  const cpuRatio =
    timing.cpuMs === undefined || !node.cpuMs ? "n/a" : `${(timing.cpuMs / node.cpuMs).toFixed(1)}×`;
  return [
    label.padEnd(34),
    `${ms(timing.wallMs)} wall (${wallRatio})`.padEnd(22),
    `${ms(timing.cpuMs)} CPU (${cpuRatio})`.padEnd(22),
    checks.map((check) => `${verdict(check.ok)} ${check.target}`).join("; "),
  ]
    .join(" ")
    .trimEnd();
}

/**
 * The issue set its ms targets on its own machine, where `agent --help` took 1.9 s, "44 times a bare
 * node -e 0": a node start of ~43 ms. It asks for the figures as ratios to node -e 0 so that machines
 * compare; the ms targets in those units are this many node starts.
 */
const ISSUE_NODE_MS = 1_900 / 44;
const asRatio = (limitMs: number) => limitMs / ISSUE_NODE_MS;

export function formatStartup(f: StartupFigures): string[] {
  const cpuWithin = (timing: Timing, limit: number) =>
    timing.cpuMs === undefined ? undefined : timing.cpuMs <= limit;
  // A ms target also as node starts (see ISSUE_NODE_MS), checked against this run's node -e 0.
  const scaled = (what: "wall" | "CPU", timing: Timing, limitMs: number): Check => {
    const ratio = asRatio(limitMs);
    const value = what === "wall" ? timing.wallMs : timing.cpuMs;
    const unit = what === "wall" ? f.node.wallMs : f.node.cpuMs;
    return {
      target: `${what} ≤ ${ratio.toFixed(0)}× (${limitMs.toLocaleString("en-US")} ms in the issue's node starts)`,
      ok: value === undefined || !unit ? undefined : value <= ratio * unit,
    };
  };
  return [
    `${row("node -e 0", f.node, f.node, [])}  (the unit of the ratios)`,
    row("agent --help", f.help, f.node, [{ target: "wall ≤ 3×", ok: f.help.wallMs <= 3 * f.node.wallMs }]),
    ...Object.entries(f.provider).map(([name, timing]) =>
      row(`agent provider ${name} → initialize`, timing, f.node, [
        { target: "wall to the answer ≤ 5×", ok: timing.wallMs <= 5 * f.node.wallMs },
      ]),
    ),
    row("README's first command, fresh dir", f.readme, f.node, [
      { target: "wall ≤ 2,000 ms", ok: f.readme.wallMs <= 2_000 },
      { target: "CPU ≤ 2,500 ms", ok: cpuWithin(f.readme, 2_500) },
    ]),
    `${"".padEnd(80)}${[scaled("wall", f.readme, 2_000), scaled("CPU", f.readme, 2_500)].map((check) => `${verdict(check.ok)} ${check.target}`).join("; ")}`,
    row("agent plan -f customer-portal", f.plan, f.node, [
      { target: "wall ≤ 1,200 ms", ok: f.plan.wallMs <= 1_200 },
      { target: "CPU ≤ 1,200 ms", ok: cpuWithin(f.plan, 1_200) },
    ]),
    `${"".padEnd(80)}${[scaled("wall", f.plan, 1_200), scaled("CPU", f.plan, 1_200)].map((check) => `${verdict(check.ok)} ${check.target}`).join("; ")}`,
    `README's first command, first run after install (empty compile cache): ${ms(f.readmeColdMs)} wall`,
    `(wall: median of ${f.runs}; CPU: mean of ${f.runs}, including the provider processes each command started;`,
    " the ms targets are absolute, so on a loaded machine only the ratios compare across runs; the issue",
    ` set them where node -e 0 took ~${Math.round(ISSUE_NODE_MS)} ms, and the second line of a row checks them in those node starts)`,
  ];
}
