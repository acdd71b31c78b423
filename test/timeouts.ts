import { availableParallelism, loadavg } from "node:os";

/** A fixed piece of work: about 20 ms on an unloaded current core. */
function probeMs(): number {
  const started = performance.now();
  let x = 0;
  for (let i = 0; i < 4_000_000; i++) x = (x * 31 + i) | 0;
  return (performance.now() - started) * (x === 0.5 ? 2 : 1); // x keeps the loop from being elided
}

let cached: number | undefined;

/**
 * How much slower than a quiet machine this one is now: the run queue per core and a timed probe,
 * the larger of the two, between 1 and 10. MCP_IAC_TIMEOUT_SCALE overrides it. Timeouts are there
 * to catch hangs, never to measure speed (bench/ does that), so they grow with the machine's load.
 */
export function machineScale(): number {
  if (cached !== undefined) return cached;
  const forced = Number(process.env["MCP_IAC_TIMEOUT_SCALE"]);
  if (Number.isFinite(forced) && forced > 0) {
    cached = forced;
    return cached;
  }
  const queue = (loadavg()[0] ?? 0) / Math.max(1, availableParallelism());
  const probe = probeMs() / 20;
  cached = Math.min(10, Math.max(1, queue, probe));
  return cached;
}

/** A timeout for a test, hook or child process, scaled to the machine. */
export function scaled(ms: number): number {
  return Math.round(ms * machineScale());
}
