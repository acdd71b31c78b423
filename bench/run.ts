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
  const { benchServers, largeApplyInChild } = await import("./apply-large.ts");
  const { applyRow, APPLY_HEADER, applyVerdict } = await import("./apply-table.ts");
  const parallelism = Number(process.env["BENCH_APPLY_PARALLELISM"] ?? 256);
  console.log(
    "== plan + apply through the four stdio mock servers, no latency; each size in a fresh process ==",
  );
  console.log(
    `--parallelism ${parallelism}: a provider that answers at once makes the default of 10 measure the`,
  );
  console.log("latency of each change's round trip and fsync, not the engine (those rows follow).");
  console.log(
    `The servers run from ${benchServers().from === "dist" ? "dist/, as an installed agent starts them" : "the sources (no build found)"}; the engine runs from the sources in the bench's process.`,
  );
  console.log(APPLY_HEADER);
  const sizes = (process.env["BENCH_APPLY_SIZES"] ?? "1000,10000,100000").split(",").map(Number);
  const rows = [];
  for (const size of sizes) {
    const figures = await largeApplyInChild(size, parallelism);
    rows.push(figures);
    console.log(applyRow(figures, rows[0]));
  }
  console.log("at the default parallelism (10):");
  const atDefault = [];
  for (const size of sizes.filter((size) => size <= 10_000)) {
    atDefault.push(await largeApplyInChild(size, 10));
    console.log(applyRow(atDefault.at(-1)!, atDefault[0]));
  }
  console.log(applyVerdict(rows));
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
