import { describe, expect, it } from "vitest";
import { applyHosts, stateMatchesWorld, trialRig } from "./engine-trials.ts";
import { pick, random, SEED, summary } from "./support.ts";

const TRIALS = 5;
const CODES = ["INTERNAL", "CONFLICT", "QUOTA_EXCEEDED", "UNAUTHORIZED", "UNAVAILABLE", "THROTTLED"] as const;

/**
 * A fault injected through the mock (MOCK_FAULTS) into a random resource's create or a random
 * later update, with or without rollback: the run fails honestly, state equals the world, and an
 * apply without the fault then converges.
 */
describe("trial: injected failures", () => {
  it(`leaves state equal to the world after ${TRIALS} faults`, async () => {
    const next = random(SEED + 2);
    const figures = { equal: 0, failed: 0, rolledBack: 0, converged: 0, duplicates: 0 };
    const injected: string[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const count = 6 + Math.floor(next() * 6);
      const target = `host-${Math.floor(next() * count)}`;
      const code = pick(next, CODES);
      const rollback = next() < 0.6;
      // Retryable codes fail only the first attempt: the engine's retry must then succeed.
      const once = code === "THROTTLED" || code === "UNAVAILABLE";
      injected.push(`${code}@${target}${once ? " once" : ""}${rollback ? "" : " no-rollback"}`);
      const fault = {
        match: target,
        op: "create",
        code,
        message: `injected ${code}`,
        ...(once ? { attempts: [1] } : { always: true }),
      };
      const { rig, workspace } = await trialRig({
        MOCK_LATENCY_MS: "1-5",
        MOCK_FAULTS: JSON.stringify([fault]),
      });
      const dir = rig.dir;
      try {
        const output = await applyHosts(workspace, count, { rollback });
        const outcome = output.report?.outcome;
        if (once) expect(outcome).toBe("succeeded");
        else {
          expect(outcome).toBe(rollback ? "rolled-back" : "partial");
          expect(output.report?.results.find((result) => result.name === target)?.status).toBe("failed");
          figures.failed++;
          if (rollback) figures.rolledBack++;
        }
        const check = await stateMatchesWorld(rig, workspace, "hosts");
        figures.duplicates += check.duplicates;
        expect(check.duplicates).toBe(0);
        expect(check.pending).toBe(0);
        expect(check.equal, `state differs from the world after ${injected.at(-1)}`).toBe(true);
        if (!once && rollback) expect(check.world).toBe(0);
        figures.equal++;
      } finally {
        await rig.close();
      }
      // The same workspace, the fault gone: the next apply converges on the whole deployment.
      const healed = await trialRig({ MOCK_LATENCY_MS: "1-5" }, dir);
      try {
        expect((await applyHosts(healed.workspace, count)).report?.outcome).toMatch(
          /succeeded|nothing-to-do/,
        );
        expect(await stateMatchesWorld(healed.rig, healed.workspace, "hosts")).toMatchObject({
          equal: true,
          world: count,
        });
        figures.converged++;
      } finally {
        await healed.rig.close();
      }
    }
    summary(
      `injected-failure trials: ${figures.equal}/${TRIALS} left state equal to the world, ${figures.duplicates} duplicates ` +
        `(${figures.failed} failed runs, ${figures.rolledBack} rolled back; ${injected.join(", ")})`,
    );
    expect(figures.equal).toBe(TRIALS);
  });
});
