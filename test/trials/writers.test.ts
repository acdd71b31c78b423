import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { LockHeldError } from "../../agent/state/index.ts";
import { applyHosts, stateMatchesWorld, trialRig } from "./engine-trials.ts";
import { random, SEED, summary } from "./support.ts";

const TRIALS = 5;

/**
 * Two applies of one deployment racing, the second started a random moment after the first, over a
 * provider with latency: without a wait one is refused at once naming the holder; with a wait both
 * run, one after the other. Either way state equals the world and nothing is made twice.
 */
describe("trial: two writers racing", () => {
  it(`serializes ${TRIALS} races`, async () => {
    const next = random(SEED + 1);
    const figures = { serialized: 0, refusedAtOnce: 0, waited: 0, duplicates: 0 };
    for (let trial = 0; trial < TRIALS; trial++) {
      const { rig, workspace } = await trialRig({ MOCK_LATENCY_MS: "5-20" });
      try {
        const wait = next() < 0.5;
        const count = 8 + Math.floor(next() * 8);
        const first = applyHosts(workspace, count);
        await sleep(Math.floor(next() * 30));
        const second = applyHosts(workspace, count, wait ? { lockWaitMs: 30_000 } : {}).catch(
          (error: unknown) => error,
        );
        const [one, two] = await Promise.all([first, second]);
        expect(one.report?.outcome).toBe("succeeded");
        if (wait) {
          expect((two as Awaited<typeof first>).report?.outcome).toMatch(/succeeded|nothing-to-do/);
          figures.waited++;
        } else if (LockHeldError.isInstance(two)) {
          expect(two.message).toMatch(/pid \d+ on host .* since/);
          figures.refusedAtOnce++;
        } else {
          // The first was already done when the second opened: it found nothing to do.
          expect((two as Awaited<typeof first>).report?.outcome ?? "nothing-to-do").toBe("nothing-to-do");
        }
        const check = await stateMatchesWorld(rig, workspace, "hosts");
        figures.duplicates += check.duplicates;
        expect(check).toEqual({ duplicates: 0, pending: 0, equal: true, world: count });
        figures.serialized++;
      } finally {
        await rig.close();
      }
    }
    summary(
      `two-writer trials: ${figures.serialized}/${TRIALS} serialized, ${figures.duplicates} duplicates ` +
        `(${figures.refusedAtOnce} refused at once, ${figures.waited} waited their turn)`,
    );
    expect(figures.serialized).toBe(TRIALS);
  });
});
