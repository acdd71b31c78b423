import { Box, Static, Text } from "ink";
import React from "react";
import { Header, type HeaderProps } from "./header.ts";
import { PlanSummary } from "./plan-summary.ts";
import type { Entry } from "./transcript.ts";

const h = React.createElement;

/** One transcript entry. */
export function EntryView({ entry, header }: { entry: Entry; header: HeaderProps }) {
  switch (entry.kind) {
    case "header":
      return h(Header, header);
    case "goal":
      return h(Box, { marginTop: 1 }, h(Text, { color: "cyan", bold: true }, `› ${entry.text}`));
    case "line":
      return h(
        Text,
        { ...(entry.tone ? { color: entry.tone } : {}), ...(entry.bold ? { bold: true } : {}) },
        entry.text,
      );
    case "plan":
      return h(PlanSummary, { plan: entry.plan });
    default: {
      const unreachable: never = entry;
      throw new Error(`unhandled entry ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * The chat so far. Entries never change once added, so they print once through <Static> and scroll
 * with the terminal; a new epoch (after /clear) starts a fresh <Static>.
 */
export function Log({ entries, epoch, header }: { entries: Entry[]; epoch: number; header: HeaderProps }) {
  return h(Static<Entry>, {
    key: epoch,
    items: entries,
    children: (entry: Entry) => h(EntryView, { key: entry.id, entry, header }),
  });
}
