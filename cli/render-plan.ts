import type { Plan, PlannedChange } from "../agent/engine/plan-types.ts";
import { isUnknown } from "../tools/protocol/unknown.ts";
import type { Paint } from "./style.ts";

const SYMBOL: Record<PlannedChange["action"], string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  noop: " ",
};

const VERB: Record<PlannedChange["action"], string> = {
  create: "will be created",
  update: "will be updated in-place",
  replace: "must be replaced",
  delete: "will be destroyed",
  noop: "is unchanged",
};

const COLOR = { create: "green", update: "yellow", replace: "magenta", delete: "red", noop: "gray" } as const;

export function formatValue(value: unknown): string {
  if (isUnknown(value)) return "(known after apply)";
  if (value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.some(isUnknown)) return `[${value.map(formatValue).join(", ")}]`;
    return JSON.stringify(value);
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => `${key} = ${formatValue(item)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return String(value);
}

function riskNote(change: PlannedChange): string {
  const parts: string[] = [];
  if (change.risk.destructive) parts.push("destructive");
  if (change.risk.stateful) parts.push("stateful");
  if (change.risk.dependents > 0)
    parts.push(`${change.risk.dependents} dependent${change.risk.dependents === 1 ? "" : "s"}`);
  return parts.length > 0 ? `risk ${change.risk.level}: ${parts.join(", ")}` : "";
}

function renderChange(change: PlannedChange, paint: Paint): string[] {
  const symbol = SYMBOL[change.action];
  const color = COLOR[change.action];
  const lines: string[] = [];
  const extra = [riskNote(change), change.estimatedMonthlyCost ? `~$${change.estimatedMonthlyCost}/mo` : ""]
    .filter(Boolean)
    .join("; ");
  const verb = change.createBeforeDestroy
    ? "must be replaced (create before destroy: the new one first, then what uses it, then the old one goes)"
    : VERB[change.action];
  lines.push(
    paint("bold", `  # ${change.name} (${change.type}) ${verb}`) +
      (extra ? paint("dim", `  [${extra}]`) : ""),
  );
  lines.push(`  ${paint(color, symbol)} ${change.type} "${change.name}" {`);
  const pad = (keys: string[]) => Math.max(0, ...keys.map((key) => key.length));
  if (change.action === "create") {
    const after = change.after ?? {};
    const computed = change.computed ?? [];
    const width = pad([...Object.keys(after), ...computed]);
    for (const [key, value] of Object.entries(after)) {
      lines.push(`      ${paint("green", "+")} ${key.padEnd(width)} = ${formatValue(value)}`);
    }
    for (const key of computed) {
      lines.push(
        `      ${paint("green", "+")} ${key.padEnd(width)} = ${paint("dim", "(known after apply)")}`,
      );
    }
  } else if (change.action === "delete") {
    const before = change.before ?? {};
    const width = pad(Object.keys(before));
    for (const [key, value] of Object.entries(before)) {
      lines.push(
        `      ${paint("red", "-")} ${key.padEnd(width)} = ${formatValue(value)} ${paint("dim", "-> null")}`,
      );
    }
  } else {
    if (change.id) lines.push(`        id = ${JSON.stringify(change.id)}`);
    const width = pad(change.diff.map((entry) => entry.path));
    for (const entry of change.diff) {
      const mark =
        entry.before === undefined
          ? paint("green", "+")
          : entry.after === undefined
            ? paint("red", "-")
            : paint("yellow", "~");
      const text =
        entry.before === undefined
          ? formatValue(entry.after)
          : entry.after === undefined
            ? `${formatValue(entry.before)} -> null`
            : `${formatValue(entry.before)} -> ${formatValue(entry.after)}`;
      lines.push(
        `      ${mark} ${entry.path.padEnd(width)} = ${text}${entry.forcesReplacement ? paint("red", " # forces replacement") : ""}`,
      );
    }
    const unchanged =
      Object.keys(change.after ?? {}).length -
      change.diff.filter((entry) => entry.after !== undefined).length;
    if (unchanged > 0)
      lines.push(
        paint("dim", `        # (${unchanged} unchanged attribute${unchanged === 1 ? "" : "s"} hidden)`),
      );
  }
  lines.push("    }");
  return lines;
}

/** The plan as a Terraform user reads one. */
export function renderPlan(plan: Plan, paint: Paint): string {
  const lines: string[] = [];
  const changing = plan.changes.filter((change) => change.action !== "noop");
  if (changing.length === 0) {
    lines.push(paint("green", `No changes. Deployment ${plan.deployment} matches the spec.`));
    return lines.join("\n");
  }
  lines.push(
    `Deployment ${paint("bold", plan.deployment)} — resource actions are indicated with the following symbols:`,
  );
  const used = new Set(changing.map((change) => change.action));
  for (const action of ["create", "update", "replace", "delete"] as const) {
    if (used.has(action))
      lines.push(
        `  ${paint(COLOR[action], SYMBOL[action].padEnd(3))} ${action === "replace" ? "destroy and then create replacement" : action}`,
      );
  }
  lines.push("");
  for (const change of changing) {
    lines.push(...renderChange(change, paint), "");
  }
  for (const warning of plan.warnings) {
    lines.push(paint("yellow", `Warning: ${warning.resource}: ${warning.path}: ${warning.message}`));
  }
  lines.push(summaryLine(plan, paint));
  return lines.join("\n");
}

export function summaryLine(plan: Plan, paint: Paint): string {
  const s = plan.summary;
  const parts = [
    `${s.create} to add`,
    `${s.update} to change`,
    `${s.replace} to replace`,
    `${s.delete} to destroy`,
  ];
  const risk: string[] = [];
  if (s.destructive > 0) risk.push(`${s.destructive} destructive`);
  if (s.stateful > 0) risk.push(`${s.stateful} touching stateful resources`);
  if (s.highRisk > 0) risk.push(`${s.highRisk} high risk`);
  let line = `${paint("bold", "Plan:")} ${parts.join(", ")}.`;
  if (risk.length > 0) line += ` Risk: ${risk.join(", ")}.`;
  if (s.monthlyCost !== undefined) line += ` Estimated monthly cost: $${s.monthlyCost.toFixed(2)}.`;
  return line;
}
