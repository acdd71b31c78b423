import { Box, Text, useInput } from "ink";
import React from "react";
import type { Plan } from "../../agent/engine/plan-types.ts";
import { summaryLine } from "../render-plan.ts";
import { plainPaint } from "./plain-paint.ts";

const h = React.createElement;

export interface ApprovalPromptProps {
  plan: Plan;
  onAnswer(approved: boolean): void;
  /** Asks for the full plan (render-plan's Terraform-style text) in the transcript. */
  onDetails?(): void;
}

/** Nothing is applied until the person says y (or yes, as the CLI takes it); n or Esc declines. */
export function ApprovalPrompt({ plan, onAnswer, onDetails }: ApprovalPromptProps) {
  useInput((input, key) => {
    if (key.ctrl) return;
    if (/^y(es)?\r?$/i.test(input)) onAnswer(true);
    else if (input === "n" || input === "N" || key.escape) onAnswer(false);
    else if ((input === "d" || input === "D") && onDetails) onDetails();
  });
  return h(
    Box,
    { flexDirection: "column", borderStyle: "round", borderColor: "yellow", paddingX: 1 },
    h(
      Text,
      null,
      "Deployment ",
      h(Text, { bold: true }, plan.deployment),
      ` — ${summaryLine(plan, plainPaint)}`,
    ),
    h(
      Text,
      null,
      h(Text, { bold: true, color: "yellow" }, "Apply these changes? (y/yes or n)"),
      h(Text, { color: "gray" }, onDetails ? "  d shows the full plan" : ""),
    ),
  );
}
