/**
 * Memory retrieval at scale: n synthetic patterns written in one batch, the store opened (load and
 * index build timed), then 200 varied goals searched. Run directly: `npx node bench/memory.ts [n]`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createMemoryStore } from "../memory/index.ts";
import { emptyMemory, patternRecord, writeMemoryFile } from "../memory/memory-file.ts";
import { syntheticGoals, syntheticPatterns } from "../memory/synthetic-patterns.ts";

export interface MemoryBenchFigures {
  patterns: number;
  medianMs: number;
  p95Ms: number;
  loadMs: number;
}

export async function benchMemory(n = 10_000): Promise<MemoryBenchFigures> {
  const folder = mkdtempSync(join(tmpdir(), "mcp-iac-memory-bench-"));
  const file = join(folder, "memory.json");
  try {
    const now = new Date().toISOString();
    const document = emptyMemory();
    document.patterns = syntheticPatterns(n).map((input) => patternRecord(input, now));
    await writeMemoryFile(file, document);

    const store = createMemoryStore({ file });
    // The first operation reads the file and builds the index; listing lessons adds nothing to that.
    const loadStart = performance.now();
    await store.listLessons();
    const loadMs = performance.now() - loadStart;
    const patterns = (await store.listPatterns()).length;

    const timings: number[] = [];
    for (const goal of syntheticGoals(200)) {
      const start = performance.now();
      await store.searchPatterns(goal, { limit: 5 });
      timings.push(performance.now() - start);
    }
    await store.close();
    timings.sort((a, b) => a - b);
    return { patterns, medianMs: quantile(timings, 0.5), p95Ms: quantile(timings, 0.95), loadMs };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = Number(process.argv[2] ?? 10_000);
  const figures = await benchMemory(n);
  console.log(
    `memory: ${figures.patterns} patterns, load ${figures.loadMs.toFixed(0)} ms, search median ${figures.medianMs.toFixed(2)} ms, p95 ${figures.p95Ms.toFixed(2)} ms (200 searches)`,
  );
}
