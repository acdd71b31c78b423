/**
 * `npm run bench`: prints the figures the issues ask for. Nothing here asserts; numbers are read by
 * people and compared across commits.
 */
import { benchState } from "../agent/state/bench.ts";
import { formatSchedulingTable, runSchedulingBench, schedulerOverheadMicros } from "./scheduling.ts";

const only = process.argv[2];
const want = (name: string) => !only || only === name;

if (want("startup")) {
  const { benchStartup, formatStartup } = await import("./startup.ts");
  console.log(
    "== start-up of the built package (dist/), as ratios to a bare node -e 0 measured in this run ==",
  );
  for (const line of formatStartup(await benchStartup())) console.log(line);
  console.log();
}

if (want("apply")) {
  const { largeApplyInChild } = await import("./apply-large.ts");
  console.log(
    "== plan + apply through the four stdio mock servers, no latency; each size in a fresh process ==",
  );
  console.log(
    "resources   wall ms   plan ms  apply ms  µs/resource  peak RSS MB: all = orchestrator + providers",
  );
  const sizes = (process.env["BENCH_APPLY_SIZES"] ?? "1000,10000,100000").split(",").map(Number);
  for (const size of sizes) {
    const f = await largeApplyInChild(size);
    const total = f.orchestratorPeakRssMb + f.providerPeakRssMb.reduce((sum, mb) => sum + mb, 0);
    console.log(
      `${String(f.resources).padStart(9)} ${String(f.wallMs).padStart(9)} ${String(f.planMs).padStart(9)} ${String(f.applyMs).padStart(9)} ${String(f.perResourceUs).padStart(12)}  ${total} = ${f.orchestratorPeakRssMb} + ${f.providerPeakRssMb.join(" + ")}  ${f.outcome}`,
    );
  }
  console.log(
    "targets: 100,000 in ≤ 30,000 ms wall and ≤ 1,500 MB for all processes; µs/resource flat across sizes",
  );
  console.log();
}

if (want("scheduling")) {
  console.log("== (b) scheduling: makespan ÷ max(critical path, total work ÷ parallelism), simulated ==");
  console.log(
    "The engine runs with unit weights (latencies are not known in advance): that row is what apply does.",
  );
  const rows = await runSchedulingBench();
  console.log(formatSchedulingTable(rows.filter((row) => row.size === "all")));
  console.log();
  console.log(formatSchedulingTable(rows.filter((row) => row.size !== "all")));
  console.log(
    `scheduler overhead: ${schedulerOverheadMicros(10_000).toFixed(1)} µs per node at 10,000 nodes`,
  );
  console.log();
}

if (want("state")) {
  console.log("== state: 10,000 begin+settle pairs against the file backend ==");
  const fsynced = await benchState(10_000);
  const unsynced = await benchState(10_000, { fsync: "never" });
  console.log(`fsync on begin  ${Math.round(fsynced.ms)} ms, ${(fsynced.bytes / 1e6).toFixed(1)} MB written`);
  console.log(
    `no fsync        ${Math.round(unsynced.ms)} ms, ${(unsynced.bytes / 1e6).toFixed(1)} MB written`,
  );
  console.log();
}

if (want("aws")) {
  const { formatAwsPolling, runAwsPollingBench } = await import("./aws-polling.ts");
  console.log("== aws: 200 creates through the AWS provider against the Cloud Control emulator ==");
  console.log("Each create takes 600 ms of service time (3 polls at the RetryAfter hint); parallelism 50.");
  console.log("ratio = wall time ÷ lower bound (critical path in waves × operation time)");
  console.log(formatAwsPolling(await runAwsPollingBench()));
  console.log();
}

if (want("memory")) {
  const { benchMemory } = await import("./memory.ts");
  console.log("== memory: retrieval over 10,000 patterns ==");
  const figures = await benchMemory(10_000);
  console.log(
    `patterns ${figures.patterns}  load ${Math.round(figures.loadMs)} ms  search median ${figures.medianMs.toFixed(2)} ms  p95 ${figures.p95Ms.toFixed(2)} ms   (target well under 20 ms)`,
  );
}
