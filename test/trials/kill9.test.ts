import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { createFileBackend } from "../../agent/state/index.ts";
import { AGENT, agent, writeSpec } from "../e2e/harness.ts";
import { chainSpec, random, summary, trialProject, worldOnDisk } from "./support.ts";

const TRIALS = 5;
const COUNT = 16;

/**
 * kill -9 of the CLI at a random point of an apply over the stdio mock with latency; the next plain
 * apply (no --force-unlock: the dead holder's lock is taken over) recovers: nothing pending, state
 * equal to the mock's world, nothing duplicated.
 */
describe("trial: kill -9 at random points of an apply", () => {
  it(`recovers from ${TRIALS} kills`, async () => {
    const next = random();
    const figures = { killed: 0, recovered: 0, duplicates: 0, takeovers: 0, reconciled: 0 };
    const points: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      // 0: as soon as the first create starts (its operation pending); n: after n creates completed.
      const killAfter = Math.floor(next() * (COUNT - 4));
      points.push(killAfter);
      const dir = trialProject({ MOCK_LATENCY_MS: "40-90" });
      writeSpec(dir, "hosts.yaml", chainSpec("hosts", COUNT));
      const child = execa(process.execPath, [AGENT, "apply", "-f", "hosts.yaml", "--yes"], {
        cwd: dir,
        env: { NO_COLOR: "1" },
        reject: false,
        stdin: "ignore",
      });
      let completed = 0;
      await new Promise<void>((resolve) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          const text = chunk.toString();
          completed += (text.match(/Creation complete/g) ?? []).length;
          if (completed >= killAfter && (killAfter > 0 || text.includes("Creating"))) {
            child.kill("SIGKILL");
            resolve();
          }
        });
        void child.then(() => resolve());
      });
      await child;
      if (child.signalCode === "SIGKILL") figures.killed++;

      const again = await agent(["apply", "-f", "hosts.yaml", "--yes"], dir);
      expect(again.exitCode, `trial ${trial} (kill after ${killAfter}): ${again.stdout}${again.stderr}`).toBe(
        0,
      );
      if (/took over the lock/.test(again.stdout + again.stderr)) figures.takeovers++;
      if (/Reconciling \d+ operation/.test(again.stdout)) figures.reconciled++;

      const state = await createFileBackend(join(dir, ".mcp-iac")).read("hosts");
      const world = worldOnDisk(dir, "hosts");
      const names = world.map((entry) => entry.name!);
      figures.duplicates += names.length - new Set(names).size;
      expect(Object.keys(state!.pending)).toEqual([]);
      expect(names.sort()).toEqual(Object.keys(state!.resources).sort());
      expect(names).toHaveLength(COUNT);
      for (const entry of world) expect(state!.resources[entry.name!]!.id).toBe(entry.id);
      figures.recovered++;
    }
    summary(
      `kill -9 trials: ${figures.recovered}/${TRIALS} recovered, ${figures.duplicates} duplicates, ` +
        `${figures.killed} killed mid-apply (after ${points.join(", ")} creates), ` +
        `${figures.takeovers} dead locks taken over, ${figures.reconciled} reconciled`,
    );
    expect(figures.duplicates).toBe(0);
    // Most kills land mid-apply; one that came too late still must not break anything.
    expect(figures.killed).toBeGreaterThanOrEqual(TRIALS - 1);
    expect(figures.takeovers).toBe(figures.killed);
  });
});
