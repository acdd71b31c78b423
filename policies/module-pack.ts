import { stat } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { PolicyLoadError } from "./errors.ts";
import { ENFORCEMENTS, POLICY_NAME, type PolicyPack } from "./types.ts";
import { loadIssues } from "./zod-issues.ts";

const hook = z
  .custom<(...args: never[]) => unknown>((value) => typeof value === "function", {
    error: "must be a function",
  })
  .optional();

/** The shape a module's pack must have; functions are checked to be functions, nothing more. */
const PackShape = z
  .looseObject({
    name: z
      .string({ error: "name must be text" })
      .regex(POLICY_NAME, { error: "name is lowercase letters, digits and '-'" }),
    description: z.string({ error: "description must be text" }),
    rules: z
      .array(
        z.looseObject({
          id: z
            .string({ error: "id must be text" })
            .regex(POLICY_NAME, { error: "id is lowercase letters, digits and '-'" }),
          description: z.string({ error: "description must be text" }),
          enforcement: z.enum(ENFORCEMENTS as [string, ...string[]], {
            error: "enforcement is advisory, mandatory or disabled",
          }),
        }),
        { error: "rules must be a list of { id, description, enforcement }" },
      )
      .min(1, { error: "rules is empty; declare every rule the pack reports" }),
    validateResource: hook,
    validateDeployment: hook,
    validatePlan: hook,
  })
  .superRefine((pack, ctx) => {
    const seen = new Set<string>();
    pack.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "id"],
          message: `rule id "${rule.id}" is declared twice`,
        });
      }
      seen.add(rule.id);
    });
    if (!pack.validateResource && !pack.validateDeployment && !pack.validatePlan) {
      ctx.addIssue({
        code: "custom",
        path: [],
        message:
          "the pack has no validateResource, validateDeployment or validatePlan; it would check nothing",
      });
    }
  });

/** Checks that a value is a PolicyPack; `source` names it in errors. */
export function checkPack(value: unknown, source: string, base: PropertyKey[] = []): PolicyPack {
  const parsed = PackShape.safeParse(value);
  if (!parsed.success) throw new PolicyLoadError(source, loadIssues(parsed.error, base));
  return value as PolicyPack;
}

/**
 * Loads a TypeScript or JavaScript pack module: its default export, or its export named `pack`.
 * The module runs with the agent's rights, like any code named in the config.
 */
export async function loadModulePack(file: string, source: string): Promise<PolicyPack> {
  try {
    if (!(await stat(file)).isFile()) {
      throw new PolicyLoadError(source, [
        { path: "", message: "is not a file; name a .ts or .js pack module" },
      ]);
    }
  } catch (error) {
    if (PolicyLoadError.isInstance(error)) throw error;
    throw new PolicyLoadError(source, [
      { path: "", message: `file not found (looked at ${file}); check the path in policies` },
    ]);
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = (error as Error).message?.split("\n")[0] ?? String(error);
    throw new PolicyLoadError(source, [{ path: "", message: `the module failed to load: ${reason}` }], {
      cause: error,
    });
  }
  const exported =
    module["default"] !== undefined ? "default" : module["pack"] !== undefined ? "pack" : undefined;
  if (!exported) {
    throw new PolicyLoadError(source, [
      {
        path: "",
        message:
          "exports no pack; `export default { name, description, rules, validateResource }` (or export it as `pack`)",
      },
    ]);
  }
  return checkPack(module[exported], source, [exported === "default" ? "export default" : "export pack"]);
}
