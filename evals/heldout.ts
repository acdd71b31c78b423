import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";
import { IacError } from "../agent/errors.ts";
import { planOffline } from "../agent/planner/offline/index.ts";

export const HELDOUT_FILE = fileURLToPath(new URL("./heldout/paraphrases.yaml", import.meta.url));

const HeldoutSchema = z
  .object({
    goals: z
      .array(
        z
          .object({
            goal: z.string().min(1),
            expect: z.union([z.literal("decline"), z.array(z.string().min(1)).min(1)]),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/**
 * understood: planned with exactly the expected blueprints (or declined, when a decline is right);
 * declined: declined a goal it should have served (acceptable, but a limit);
 * misunderstood: planned something else, or planned a goal it should have declined (the failure).
 */
export type Verdict = "understood" | "declined" | "misunderstood";

export interface HeldoutResult {
  file: string;
  total: number;
  understood: number;
  declined: number;
  misunderstood: number;
  shares: { understood: number; declined: number; misunderstood: number };
  goals: { goal: string; expect: string[] | "decline"; got: string[] | "decline"; verdict: Verdict }[];
}

export function runHeldout(file: string = HELDOUT_FILE): HeldoutResult {
  let document: z.infer<typeof HeldoutSchema>;
  try {
    document = HeldoutSchema.parse(parse(readFileSync(file, "utf8")));
  } catch (error) {
    throw new IacError(
      "EVAL_HELDOUT_INVALID",
      `${file} is not a held-out goals file: ${(error as Error).message}`,
      {
        exitCode: 2,
        hint: "goals: [{ goal: TEXT, expect: [blueprint ids] | decline }]",
      },
    );
  }
  const goals = document.goals.map(({ goal, expect }) => {
    const plan = planOffline(goal);
    const got = plan.kind === "declined" ? ("decline" as const) : [...plan.understanding.blueprints].sort();
    let verdict: Verdict;
    if (got === "decline") verdict = expect === "decline" ? "understood" : "declined";
    else if (expect === "decline") verdict = "misunderstood";
    else verdict = got.join(",") === [...expect].sort().join(",") ? "understood" : "misunderstood";
    return { goal, expect, got, verdict };
  });
  const count = (verdict: Verdict) => goals.filter((entry) => entry.verdict === verdict).length;
  const total = goals.length;
  const understood = count("understood");
  const declined = count("declined");
  const misunderstood = count("misunderstood");
  return {
    file,
    total,
    understood,
    declined,
    misunderstood,
    shares: {
      understood: understood / total,
      declined: declined / total,
      misunderstood: misunderstood / total,
    },
    goals,
  };
}

export function formatHeldout(result: HeldoutResult): string[] {
  const pct = (value: number) => `${Math.round(value * 100)}%`;
  const lines = [
    `Held-out paraphrased goals (${result.total}, offline planner): understood ${result.understood} (${pct(result.shares.understood)}), declined ${result.declined} (${pct(result.shares.declined)}), misunderstood ${result.misunderstood} (${pct(result.shares.misunderstood)})`,
  ];
  for (const entry of result.goals.filter((item) => item.verdict !== "understood")) {
    const expect = entry.expect === "decline" ? "a decline" : entry.expect.join(" + ");
    const got = entry.got === "decline" ? "declined" : entry.got.join(" + ");
    lines.push(`  ${entry.verdict.padEnd(13)} "${entry.goal}": expected ${expect}, got ${got}`);
  }
  return lines;
}
