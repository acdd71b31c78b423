import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import { z } from "zod";
import { type CompiledCondition, ConditionSchema, compileCondition } from "./conditions.ts";
import { PolicyLoadError } from "./errors.ts";
import { matchesGlob } from "./glob.ts";
import {
  ENFORCEMENTS,
  POLICY_NAME,
  type PolicyChange,
  type PolicyChangeAction,
  type PolicyPack,
  type PolicyRuleInfo,
} from "./types.ts";
import { loadIssues } from "./zod-issues.ts";

const ACTIONS = ["create", "update", "replace", "delete", "noop"] as const;

const unknownKeys =
  (what: string, keys: string) =>
  (issue: { code?: string; keys?: string[] }): string =>
    issue.code === "unrecognized_keys"
      ? `unknown key ${(issue.keys ?? []).map((key) => `"${key}"`).join(", ")}; ${what} takes ${keys}`
      : `${what} must be a mapping of ${keys}`;

const globs = (what: string) =>
  z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
    error: `${what} takes a glob or a list of globs, e.g. "opnsense:firewall:*"`,
  });

const name = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .regex(POLICY_NAME, { error: `${what} is lowercase letters, digits and '-', e.g. no-public-buckets` });

const RuleSchema = z.strictObject(
  {
    id: name("id"),
    description: z.string({ error: "description must be text: what the rule is for" }).min(1),
    enforcement: z.enum(ENFORCEMENTS as [string, ...string[]], {
      error: "enforcement is advisory, mandatory or disabled",
    }),
    match: z.strictObject(
      { type: globs("match.type"), name: globs("match.name").optional() },
      { error: unknownKeys("match", "type (a glob) and name (a glob, optional)") },
    ),
    when: ConditionSchema.optional(),
    plan: z
      .strictObject(
        {
          actions: z
            .array(z.enum(ACTIONS, { error: `an action is one of ${ACTIONS.join(", ")}` }), {
              error: "plan.actions takes a list, e.g. [delete, replace]",
            })
            .min(1, { error: "plan.actions needs at least one action" }),
          stateful: z.boolean({ error: "plan.stateful takes true or false" }).optional(),
        },
        { error: unknownKeys("plan", "actions (e.g. [delete, replace]) and stateful (optional)") },
      )
      .optional(),
    message: z.string({ error: "message must be text: what is wrong and how to fix it" }).min(1),
  },
  { error: unknownKeys("a rule", "id, description, enforcement, match, when, plan, message") },
);

const RuleFileSchema = z
  .strictObject(
    {
      name: name("name"),
      description: z.string({ error: "description must be text" }).optional(),
      rules: z
        .array(RuleSchema, { error: "rules must be a list of rules" })
        .min(1, { error: "rules is empty; add at least one rule" }),
    },
    { error: unknownKeys("a rule file", "name, description and rules") },
  )
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["rules", index, "id"],
          message: `rule id "${rule.id}" is used twice; ids are unique in a pack`,
        });
      }
      seen.add(rule.id);
    });
  });

type RuleDefinition = z.output<typeof RuleSchema>;

interface CompiledRule {
  info: PolicyRuleInfo;
  types: string[];
  names: string[] | undefined;
  when: CompiledCondition | undefined;
  plan: { actions: PolicyChangeAction[]; stateful?: boolean } | undefined;
  message: string;
}

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

function compileRule(rule: RuleDefinition): CompiledRule {
  const compiled: CompiledRule = {
    info: {
      id: rule.id,
      description: rule.description,
      enforcement: rule.enforcement as PolicyRuleInfo["enforcement"],
    },
    types: list(rule.match.type),
    names: rule.match.name === undefined ? undefined : list(rule.match.name),
    when: rule.when ? compileCondition(rule.when) : undefined,
    plan: rule.plan,
    message: rule.message,
  };
  return compiled;
}

function matches(rule: CompiledRule, target: { type: string; name: string }): boolean {
  if (!rule.types.some((glob) => matchesGlob(glob, target.type))) return false;
  return rule.names === undefined || rule.names.some((glob) => matchesGlob(glob, target.name));
}

/** Evaluates `when` on a property map: the finding's path when it holds, `false` when it does not. */
function test(rule: CompiledRule, properties: Record<string, unknown>): { path?: string } | false {
  if (!rule.when) return {};
  const outcome = rule.when(properties);
  if (outcome.truth !== true) return false;
  return outcome.path ? { path: `properties.${outcome.path}` } : {};
}

function planMatches(rule: CompiledRule, change: PolicyChange): boolean {
  if (!rule.plan?.actions.includes(change.action)) return false;
  if (rule.plan.stateful !== undefined && (change.risk?.stateful ?? false) !== rule.plan.stateful)
    return false;
  return matches(rule, change);
}

/** Builds a pack from an already-parsed rule document. `source` names it in errors. */
export function packFromDocument(document: unknown, source: string): PolicyPack {
  const parsed = RuleFileSchema.safeParse(document);
  if (!parsed.success) throw new PolicyLoadError(source, loadIssues(parsed.error));
  const rules = parsed.data.rules.map(compileRule);
  const resourceRules = rules.filter((rule) => rule.plan === undefined);
  const planRules = rules.filter((rule) => rule.plan !== undefined);
  const pack: PolicyPack = {
    name: parsed.data.name,
    description: parsed.data.description ?? `rules from ${source}`,
    rules: rules.map((rule) => rule.info),
  };
  if (resourceRules.length > 0) {
    pack.validateResource = (resource, report) => {
      for (const rule of resourceRules) {
        if (!matches(rule, resource)) continue;
        const hit = test(rule, resource.properties);
        if (hit) report(rule.info.id, { message: rule.message, ...hit });
      }
    };
  }
  if (planRules.length > 0) {
    pack.validatePlan = (plan, report) => {
      for (const change of plan.changes) {
        for (const rule of planRules) {
          if (!planMatches(rule, change)) continue;
          const hit = test(rule, change.after ?? change.before ?? {});
          if (hit) report(rule.info.id, { resource: change.name, message: rule.message, ...hit });
        }
      }
    };
  }
  return pack;
}

/** Reads a YAML (or JSON) rule file. */
export async function loadYamlPack(file: string, source: string): Promise<PolicyPack> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? `file not found (looked at ${file}); check the path in policies`
        : code === "EISDIR"
          ? "is a folder; name a rule file"
          : `cannot be read (${(error as Error).message})`;
    throw new PolicyLoadError(source, [{ path: "", message }]);
  }
  const document = parseDocument(text);
  const first = document.errors[0];
  if (first) {
    const where = first.linePos?.[0]
      ? ` (line ${first.linePos[0].line}, column ${first.linePos[0].col})`
      : "";
    const reason = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    throw new PolicyLoadError(source, [{ path: "", message: `is not valid YAML${where}: ${reason}` }]);
  }
  return packFromDocument(document.toJS(), source);
}
