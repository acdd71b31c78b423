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
  /** Describes the servers that serve these types (all servers without any), if not yet described. */
  cover(types?: Iterable<string>): Promise<void>;
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

/**
 * The configured servers that may serve `types`, in config order: the one a type's prefix names (the
 * gateway routes by it), or every server when a prefix names none (the gateway then asks each in turn).
 */
export function serversFor(servers: readonly string[], types: Iterable<string>): string[] {
  const wanted = new Set<string>();
  for (const type of types) {
    const prefix = type.split(":")[0] ?? type;
    if (!servers.includes(prefix)) return [...servers];
    wanted.add(prefix);
  }
  return servers.filter((server) => wanted.has(server));
}

/**
 * Server descriptions, each asked once; a server that cannot describe is a warning and offers nothing.
 * Several servers at once: each describe may start a provider process, and those start in parallel.
 */
function describer(ctx: RunContext) {
  const described = new Map<string, Promise<ResourceTypeInfo[]>>();
  const describeOne = async (server: string): Promise<ResourceTypeInfo[]> => {
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
  };
  return {
    async describe(servers: readonly string[]): Promise<void> {
      for (const server of servers) if (!described.has(server)) described.set(server, describeOne(server));
      await Promise.all(servers.map((server) => described.get(server)));
    },
    /** Every type described so far, in config order (a later server's same type wins, as in a Map). */
    async types(): Promise<ResourceTypeInfo[]> {
      const lists = await Promise.all(ctx.services.servers.map((server) => described.get(server) ?? []));
      return lists.flat();
    },
  };
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

/**
 * What the configured servers offer. A model sees every schema, so with one every server is described
 * now. Without one (the offline planner, a remembered spec) none is until `cover` names types, so a run
 * starts only the provider processes its spec needs (the sandbox's four mocks cost ~0.3 s of CPU
 * each). `validate` covers a candidate's types itself, so the secret properties of every type it
 * accepts are known. `scope` overrides the choice.
 */
export async function describeCatalog(
  ctx: RunContext,
  scope: "all" | "used" = ctx.model ? "all" : "used",
): Promise<RunCatalog> {
  const servers = describer(ctx);
  const schemas: ResourceTypeInfo[] = [];
  const typeInfo = new Map<string, ResourceTypeInfo>();
  const cover = async (types?: Iterable<string>) => {
    await servers.describe(types ? serversFor(ctx.services.servers, types) : ctx.services.servers);
    // Rebuilt in config order, so the catalog is the same whichever order servers were described in.
    schemas.splice(0, schemas.length, ...(await servers.types()));
    typeInfo.clear();
    for (const info of schemas) typeInfo.set(info.type, info);
  };
  if (scope === "all") await cover();
  let last: PlannerFinding[] = [];
  const validate = async (candidate: unknown) => {
    const checked = await checkCandidate(candidate, ctx.gateway);
    if (checked.deployment) await cover(checked.deployment.resources.map((resource) => resource.type));
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
  return { schemas, typeInfo, cover, redactListed, validate, lastFindings: () => last };
}

/** A finding as one line: where, then what. */
export function findingLine(finding: PlannerFinding): string {
  return [finding.resource, finding.path, finding.message].filter(Boolean).join(": ");
}
