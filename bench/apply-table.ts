import type { LargeApplyFigures } from "./apply-large.ts";

/** The scale target: 100,000 resources within 30 s and 1.5 GB for every process together. */
const TARGET = { resources: 100_000, wallMs: 30_000, rssMb: 1_500 };

export const APPLY_HEADER =
  "resources   wall ms   plan ms  apply ms  apply µs/res  × smallest  CPU s: orch + providers  peak RSS MB: all = orch + providers";

const pad = (value: number | string, width: number) => String(value).padStart(width);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

export function totalRssMb(figures: LargeApplyFigures): number {
  return figures.orchestratorPeakRssMb + figures.providerPeakRssMb.reduce((sum, mb) => sum + mb, 0);
}

/**
 * One row. `baseline` is the smallest size of the same run: apply µs per resource as a ratio to it
 * shows growth (flat is 1.0×, below is fixed costs spreading) whatever the machine's load.
 */
export function applyRow(f: LargeApplyFigures, baseline: LargeApplyFigures = f): string {
  const providersCpu = f.providerCpuMs.reduce((sum, ms) => sum + ms, 0);
  const cpu = `${seconds(f.orchestratorCpuMs)} + ${seconds(providersCpu)}`;
  const rss = `${totalRssMb(f)} = ${f.orchestratorPeakRssMb} + ${f.providerPeakRssMb.join(" + ")}`;
  const growth = `${(f.perResourceUs / Math.max(1, baseline.perResourceUs)).toFixed(2)}×`;
  return `${pad(f.resources, 9)} ${pad(f.wallMs, 9)} ${pad(f.planMs, 9)} ${pad(f.applyMs, 9)} ${pad(f.perResourceUs, 12)} ${pad(growth, 11)}  ${cpu.padEnd(23)}  ${rss}  ${f.outcome}`;
}

/** PASS or MISS against the target, from the row of 100,000 resources when there is one. */
export function applyVerdict(rows: readonly LargeApplyFigures[]): string {
  const largest = rows.find((row) => row.resources === TARGET.resources);
  const target = `target: ${TARGET.resources.toLocaleString("en")} in ≤ ${TARGET.wallMs.toLocaleString("en")} ms wall and ≤ ${TARGET.rssMb.toLocaleString("en")} MB for all processes; µs/resource flat across sizes`;
  if (!largest) return `${target} (not measured: BENCH_APPLY_SIZES has no ${TARGET.resources})`;
  const wall = largest.wallMs <= TARGET.wallMs ? "PASS" : "MISS";
  const rss = totalRssMb(largest) <= TARGET.rssMb ? "PASS" : "MISS";
  return `${target}\nwall ${wall} (${largest.wallMs} ms), memory ${rss} (${totalRssMb(largest)} MB)`;
}
