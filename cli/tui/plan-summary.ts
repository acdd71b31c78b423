import { Box, Text } from "ink";
import React from "react";
import type { Plan, PlannedChange } from "../../agent/engine/plan-types.ts";
import { summaryLine } from "../render-plan.ts";
import { plainPaint } from "./plain-paint.ts";

const h = React.createElement;

const SYMBOL: Record<PlannedChange["action"], string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  noop: " ",
};
const COLOR = { create: "green", update: "yellow", replace: "magenta", delete: "red", noop: "gray" } as const;

function riskNote(change: PlannedChange): string {
  const parts: string[] = [];
  if (change.risk.destructive) parts.push("destructive");
  if (change.risk.stateful) parts.push("stateful");
  return change.risk.level !== "low" && parts.length > 0
    ? `  [risk ${change.risk.level}: ${parts.join(", ")}]`
    : "";
}

/** The plan in one line per change (`+ name (type)`) and render-plan's summary line. */
export function PlanSummary({ plan }: { plan: Plan }) {
  const changing = plan.changes.filter((change) => change.action !== "noop");
  if (changing.length === 0)
    return h(Text, { color: "green" }, `No changes. Deployment ${plan.deployment} matches the spec.`);
  return h(
    Box,
    { flexDirection: "column" },
    h(Text, null, "Plan for ", h(Text, { bold: true }, plan.deployment), ":"),
    ...changing.map((change) =>
      h(
        Text,
        { key: change.name },
        "  ",
        h(Text, { color: COLOR[change.action] }, SYMBOL[change.action].padEnd(3)),
        `${change.name} (${change.type})`,
        h(Text, { color: "gray" }, riskNote(change)),
      ),
    ),
    ...plan.warnings.map((warning, index) =>
      h(
        Text,
        { key: `warning-${index}`, color: "yellow" },
        `  Warning: ${warning.resource}: ${warning.path}: ${warning.message}`,
      ),
    ),
    h(Text, { bold: true }, summaryLine(plan, plainPaint)),
  );
}
