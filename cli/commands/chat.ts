import type { CommandDefinition } from "./types.ts";

/** `agent` with no arguments: the chat on a terminal (main() prints the help anywhere else). */
export const chatCommand: CommandDefinition = {
  name: "",
  usage: [""],
  summary: "on a terminal: the interactive chat (type a goal, approve with y)",
  flags: {},
  exitCodes: { 0: "left the chat", 2: "no terminal: the help is printed", 130: "left mid-run" },
  async run(context) {
    const { parsed } = context;
    // Loaded only here, so the one-shot commands never load React and Ink. Without a terminal,
    // main() prints the help instead (it holds the command table; importing it here would be a cycle).
    const { runTui } = await import("../tui/index.ts");
    return runTui({ global: parsed.global });
  },
};
