import { Box, Text } from "ink";
import React from "react";
import type { PlannedChange } from "../../agent/engine/plan-types.ts";
import type { RunningChange } from "./transcript.ts";
import { useSpinner } from "./use-spinner.ts";

const h = React.createElement;

const DOING: Record<PlannedChange["action"], string> = {
  create: "Creating",
  update: "Updating",
  replace: "Replacing",
  delete: "Destroying",
  noop: "Reading",
};

/** What the run is doing now: a spinner per change in flight, or for the goal while it is planned. */
export function Progress({ goal, running }: { goal: string; running: RunningChange[] }) {
  const spinner = useSpinner();
  if (running.length === 0)
    return h(Text, null, h(Text, { color: "cyan" }, spinner), ` Working on "${goal}"…`);
  return h(
    Box,
    { flexDirection: "column" },
    ...running.map((change) =>
      h(
        Text,
        { key: change.name },
        h(Text, { color: "cyan" }, spinner),
        ` ${DOING[change.action]} ${change.name}${change.type ? ` (${change.type})` : ""}`,
        change.attempt > 1 ? h(Text, { color: "gray" }, ` attempt ${change.attempt}`) : null,
        change.retrying ? h(Text, { color: "yellow" }, ` — ${change.retrying}`) : null,
        change.progress && !change.retrying ? h(Text, { color: "gray" }, ` — ${change.progress}`) : null,
      ),
    ),
  );
}
