import { stringify } from "yaml";
import { z } from "zod";
import { escapeProviderData } from "./provider-data.ts";
import { PromptTemplateError, renderTemplate } from "./render.ts";
import { sampleProperties, summarizeOutputs, summarizeProperties } from "./schema-summary.ts";
import { loadTemplate, templateId } from "./templates.ts";

export { escapeProviderData, PROVIDER_DATA_TAG, wrapProviderData } from "./provider-data.ts";
export { PromptTemplateError } from "./render.ts";

/** Everything that sits inside `<provider-data>` in a template passes through here first. */
const data = z.string().transform(escapeProviderData);

const TypeSchemaInput = z
  .object({
    type: z.string().min(1),
    description: z.string(),
    properties: z.record(z.string(), z.unknown()),
    outputs: z.record(z.string(), z.unknown()),
    secretProperties: z.array(z.string()).optional(),
  })
  .transform((entry) => ({
    type: escapeProviderData(entry.type),
    description: escapeProviderData(entry.description.trim() || "(no description)"),
    properties: summarizeProperties(entry.properties, entry.secretProperties).map(escapeProviderData),
    outputs: escapeProviderData(summarizeOutputs(entry.outputs)),
    sample: sampleProperties(entry.properties).map(escapeProviderData),
  }));

function specYaml(spec: unknown): string {
  if (typeof spec === "string") return spec.trimEnd();
  return stringify(spec, { lineWidth: 0 }).trimEnd();
}

const ExampleInput = z
  .object({
    goal: z.string(),
    spec: z.object({ name: z.string(), resources: z.array(z.unknown()) }),
  })
  .transform((example) => ({
    goal: escapeProviderData(example.goal.trim()),
    spec: escapeProviderData(specYaml({ name: example.spec.name, resources: example.spec.resources })),
  }));

const FindingInput = z
  .object({
    source: z.enum(["schema", "validate", "policy"]),
    resource: z.string().optional(),
    path: z.string().optional(),
    message: z.string(),
    severity: z.enum(["error", "warning"]),
  })
  .transform((finding) => ({
    source: finding.source,
    severity: finding.severity,
    where: escapeProviderData([finding.resource, finding.path].filter(Boolean).join(": ") || "spec"),
    message: escapeProviderData(finding.message),
  }));

const FailedChangeInput = z
  .object({
    name: z.string(),
    type: z.string(),
    action: z.string(),
    error: z.object({ code: z.string(), message: z.string() }),
  })
  .transform((failed) => ({
    name: escapeProviderData(failed.name),
    type: escapeProviderData(failed.type),
    action: escapeProviderData(failed.action),
    code: escapeProviderData(failed.error.code),
    message: escapeProviderData(failed.error.message),
  }));

const count = z.number().int().nonnegative();

/** One entry per template file: its current version and the typed input it renders from. */
const PROMPTS = {
  "planner-system": {
    version: 1,
    input: z.object({ maxTurns: count, repairBudget: count }).strict(),
  },
  "planner-context": {
    version: 1,
    input: z.object({ schemas: z.array(TypeSchemaInput), examples: z.array(ExampleInput) }).strict(),
  },
  "planner-goal": {
    version: 1,
    input: z.object({ goal: z.string().trim().min(1) }).strict(),
  },
  "planner-repair": {
    version: 1,
    input: z
      .object({ attempt: count, remaining: count, findings: z.array(FindingInput) })
      .strict()
      .transform((input) => ({
        ...input,
        errorCount: input.findings.filter((finding) => finding.severity === "error").length,
        warningCount: input.findings.filter((finding) => finding.severity === "warning").length,
      })),
  },
  "planner-nudge": {
    version: 1,
    input: z.object({ problem: z.string().min(1), remaining: count }).strict(),
  },
  "recovery-system": {
    version: 1,
    input: z.object({}).strict(),
  },
  "recovery-context": {
    version: 1,
    input: z
      .object({
        goal: z.string().trim().min(1),
        spec: z.unknown().transform(specYaml),
        failed: z.array(FailedChangeInput).min(1),
        stateSummary: data,
      })
      .strict(),
  },
  "recovery-nudge": {
    version: 1,
    input: z.object({ problem: z.string().min(1) }).strict(),
  },
} as const;

export type PromptName = keyof typeof PROMPTS;
export type PromptInput<N extends PromptName> = z.input<(typeof PROMPTS)[N]["input"]>;
export const PROMPT_NAMES = Object.keys(PROMPTS) as PromptName[];

/** `planner-system.v1`: the template file a rendering came from, for events and eval records. */
export function promptId(name: PromptName): string {
  return templateId(name, PROMPTS[name].version);
}

/**
 * Renders a template from its typed input. Input the schema rejects, and any variable the template
 * misses or does not use, throws a PromptTemplateError naming the template.
 */
export function renderPrompt<N extends PromptName>(name: N, input: PromptInput<N>): string {
  const { version, input: schema } = PROMPTS[name];
  const parsed = (schema as z.ZodType).safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String).join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    throw new PromptTemplateError(templateId(name, version), `bad input: ${problems.join("; ")}`);
  }
  return renderTemplate(loadTemplate(name, version), parsed.data as Record<string, unknown>);
}
