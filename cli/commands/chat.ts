import { EXIT } from "../../agent/errors.ts";
import type { CommandDefinition } from "./types.ts";

/** `agent` with no arguments: the chat on a terminal, the help anywhere else. */
export const chatCommand: CommandDefinition = {
  name: "",
  usage: [""],
  summary: "on a terminal: the interactive chat (type a goal, approve with y)",
  flags: {},
  exitCodes: { 0: "left the chat", 2: "no terminal: the help is printed", 130: "left mid-run" },
  async run(context) {
    const { parsed, io } = context;
    if (io.stdin.isTTY && io.stdout.isTTY && !parsed.global.json) {
      // Loaded only here, so the one-shot commands never load React and Ink.
      const { runTui } = await import("../tui/index.ts");
      return runTui({ global: parsed.global });
    }
    const { COMMANDS } = await import("./index.ts");
    const { mainHelp } = await import("../help.ts");
    io.stdout.write(`${mainHelp(COMMANDS)}\n`);
    return EXIT.usage;
  },
};
