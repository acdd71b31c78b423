import { isUnknown, type PropertyMap, type ResourceTypeInfo } from "../../tools/protocol/index.ts";
import { SENSITIVE } from "../engine/plan-types.ts";
import type { Deployment } from "../engine/spec.ts";
import { checkCandidate } from "../engine/validate.ts";
import type { PlannerFinding } from "../planner/model-planner.ts";
import type { RunContext } from "./context.ts";

/** What the configured servers offer, and the checks a candidate spec goes through. */
export interface RunCatalog {
  schemas: ResourceTypeInfo[];
  typeInfo: Map<string, ResourceTypeInfo>;
  /** A listed resource with secret properties and outputs replaced, then scrubbed. */
  redactListed(entry: { type: string; properties?: unknown; outputs?: unknown }): unknown;
  /** Schema, validation and policy findings of a candidate; its secret values join the scrubber. */
  validate(candidate: unknown): Promise<{ deployment?: Deployment; findings: PlannerFinding[] }>;
  /** The findings of the last candidate validated, for the planner's submission event. */
  lastFindings(): PlannerFinding[];
}

/** Property names per type whose schema is closed (an open schema takes any name). */
export function closedProperties(infos: Iterable<ResourceTypeInfo>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const info of infos) {
    const schema = info.properties as { properties?: object; additionalProperties?: unknown };
    if (schema.additionalProperties === false) out.set(info.type, Object.keys(schema.properties ?? {}));
  }
  return out;
}

/** Secret property values never travel into memory, events or reports. */
export function redactSpec(
  deployment: Deployment,
  types: Map<string, { info: ResourceTypeInfo }>,
): Deployment {
  return {
    name: deployment.name,
    resources: deployment.resources.map((resource) => {
      const secret = types.get(resource.type)?.info.secretProperties ?? [];
      if (secret.length === 0) return resource;
      const properties: PropertyMap = { ...resource.properties };
      for (const key of secret)
        if (key in properties && !isUnknown(properties[key])) properties[key] = SENSITIVE;
      return { ...resource, properties };
    }),
  };
}

/** All servers at once: each describe may start a provider process, and those start in parallel. */
async function describeAll(ctx: RunContext): Promise<ResourceTypeInfo[]> {
  const described = await Promise.all(
    ctx.services.servers.map(async (server) => {
      try {
        return (await ctx.gateway.describe(server)).types;
      } catch (error) {
        ctx.emit({
          type: "notice",
          level: "warn",
          message: `${server} could not describe its types: ${error instanceof Error ? error.message : String(error)}`,
        });
        return [];
      }
    }),
  );
  return described.flat();
}

function issueFindings(checked: Awaited<ReturnType<typeof checkCandidate>>): PlannerFinding[] {
  const where = (issue: { resource?: string; path?: string }) => ({
    ...(issue.resource ? { resource: issue.resource } : {}),
    ...(issue.path ? { path: issue.path } : {}),
  });
  return [
    ...checked.errors.map((issue) => ({
      source: "schema" as const,
      severity: "error" as const,
      message: issue.message,
      ...where(issue),
    })),
    ...checked.warnings.map((issue) => ({
      source: "validate" as const,
      severity: "warning" as const,
      message: issue.message,
      ...where(issue),
    })),
  ];
}

function policyFindings(ctx: RunContext, deployment: Deployment): PlannerFinding[] {
  return ctx.services.policies
    .checkDeployment(deployment)
    .findings.filter((finding) => finding.enforcement !== "disabled")
    .map((finding) => ({
      source: "policy" as const,
      severity: finding.enforcement === "mandatory" ? ("error" as const) : ("warning" as const),
      message: `${finding.policy}: ${finding.message}`,
      ...(finding.resource ? { resource: finding.resource } : {}),
      ...(finding.path ? { path: finding.path } : {}),
    }));
}

export async function describeCatalog(ctx: RunContext): Promise<RunCatalog> {
  const schemas = await describeAll(ctx);
  const typeInfo = new Map(schemas.map((info) => [info.type, info]));
  let last: PlannerFinding[] = [];
  const validate = async (candidate: unknown) => {
    const checked = await checkCandidate(candidate, ctx.gateway);
    // The model wrote these values; they must not travel back to it (or anywhere) in later turns.
    for (const resource of checked.deployment?.resources ?? []) {
      for (const key of typeInfo.get(resource.type)?.secretProperties ?? [])
        ctx.scrubber.add(resource.properties[key]);
    }
    const findings = issueFindings(checked);
    if (checked.deployment && checked.errors.length === 0)
      findings.push(...policyFindings(ctx, checked.deployment));
    last = findings;
    return { ...(checked.deployment ? { deployment: checked.deployment } : {}), findings };
  };
  const redactListed = (entry: { type: string; properties?: unknown; outputs?: unknown }) => {
    const info = typeInfo.get(entry.type);
    const properties = { ...((entry.properties as PropertyMap | undefined) ?? {}) };
    for (const key of info?.secretProperties ?? []) if (key in properties) properties[key] = SENSITIVE;
    const outputs = { ...((entry.outputs as PropertyMap | undefined) ?? {}) };
    for (const key of info?.secretOutputs ?? []) if (key in outputs) outputs[key] = SENSITIVE;
    return ctx.scrubber.scrubDeep({ ...entry, properties, outputs });
  };
  return { schemas, typeInfo, redactListed, validate, lastFindings: () => last };
}

/** A finding as one line: where, then what. */
export function findingLine(finding: PlannerFinding): string {
  return [finding.resource, finding.path, finding.message].filter(Boolean).join(": ");
}
