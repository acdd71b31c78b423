import { Box, Text } from "ink";
import React from "react";
import type { TuiSession } from "./session.ts";

const h = React.createElement;

export interface HeaderProps {
  where: TuiSession["where"];
  planner: string;
  stateStore: string;
}

/** Where the session works and what plans for it, said once at the top. */
export function Header({ where, planner, stateStore }: HeaderProps) {
  const label = (text: string) => h(Text, { color: "gray" }, text.padEnd(9));
  return h(
    Box,
    { flexDirection: "column", borderStyle: "round", borderColor: "cyan", paddingX: 1 },
    h(Text, { bold: true }, "mcp-iac — infrastructure agent"),
    h(
      Text,
      null,
      label("where"),
      where.sandbox
        ? h(Text, { color: "yellow" }, `sandbox: mock providers (${where.servers.join(", ")}), nothing real`)
        : `config ${where.source} (${where.servers.join(", ")})`,
    ),
    h(Text, null, label("planner"), planner),
    h(Text, null, label("state"), stateStore),
    h(Text, { color: "gray" }, "Type a goal and press Enter · /help lists commands · Ctrl-C exits"),
  );
}
