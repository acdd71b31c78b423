import { EXIT } from "../../agent/errors.ts";
import type { CommandDefinition } from "./types.ts";

export const initCommand: CommandDefinition = {
  name: "init",
  usage: ["init [--force]"],
  summary: "write mcp-iac.config.yaml for the providers this machine can reach",
  flags: { force: { type: "boolean", help: "overwrite an existing config file" } },
  exitCodes: { 0: "written", 2: "a config file exists (use --force)" },
  async run(context) {
    const { parsed, out } = context;
    const { initConfig, initSummary } = await import("../../agent/init.ts");
    const result = await initConfig({ cwd: parsed.global.cwd, force: Boolean(parsed.flags["force"]) });
    out.result({ command: "init", ...result }, () => {
      for (const line of initSummary(result)) out.line(line);
    });
    return EXIT.ok;
  },
};
