import { EXIT } from "../../agent/errors.ts";
import { usageError } from "../args.ts";
import { ALLOW_DESTROY_FLAG, FILE_FLAG, requireFile } from "./shared.ts";
import type { CommandDefinition } from "./types.ts";

export const policyCommand: CommandDefinition = {
  name: "policy",
  usage: ["policy check -f FILE"],
  summary: "check a spec against the configured policies",
  flags: { ...FILE_FLAG, ...ALLOW_DESTROY_FLAG },
  exitCodes: { 0: "no mandatory finding", 2: "bad usage, config or spec", 3: "a mandatory policy blocks it" },
  async run(context) {
    const { parsed, out } = context;
    if (parsed.command[1] !== "check")
      throw usageError("agent policy check -f FILE checks a spec against the configured policies");
    const { loadSpecFile } = await import("../../agent/engine/spec.ts");
    const { loadConfig } = await import("../../agent/config.ts");
    const { policiesFor } = await import("../goal.ts");
    const { formatFindings } = await import("../../policies/index.ts");
    const deployment = await loadSpecFile(requireFile(parsed));
    const cwd = parsed.global.cwd;
    const loaded = loadConfig({ cwd, configFile: parsed.global.config });
    const policies = await policiesFor(loaded, cwd, { allowDestroy: Boolean(parsed.flags["allow-destroy"]) });
    const result = policies.checkDeployment(deployment);
    out.result({ command: "policy check", deployment: deployment.name, ...result }, () => {
      if (result.findings.length === 0) out.line(`No policy findings for ${deployment.name}.`);
      for (const line of formatFindings(result)) out.line(line);
      if (result.blocked) out.line(`Blocked: ${result.mandatory.length} mandatory finding(s).`);
    });
    return result.blocked ? EXIT.policy : EXIT.ok;
  },
};
