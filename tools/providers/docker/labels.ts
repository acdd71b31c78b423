import type { HandlerContext, PropertyMap } from "../../protocol/index.ts";

/** The labels every object we create carries (design §5), so discovery can tell ours from the rest. */
export const LABEL_MANAGED_BY = "managed-by";
export const MANAGED_BY = "mcp-iac";
export const LABEL_DEPLOYMENT = "mcp-iac.deployment";
export const LABEL_NAME = "mcp-iac.name";
export const LABEL_TYPE = "mcp-iac.type";
/** The properties as written in the spec (env values left out), so reads can answer in the same form. */
export const LABEL_SPEC = "mcp-iac.spec";

export type Labels = Record<string, string>;

export function ownLabels(context: HandlerContext, type: string, spec: PropertyMap): Labels {
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_DEPLOYMENT]: context.deploymentId,
    [LABEL_NAME]: context.name,
    [LABEL_TYPE]: type,
    [LABEL_SPEC]: JSON.stringify(spec),
  };
}

/** Docker label filters selecting our objects of one type, optionally of one deployment. */
export function labelFilters(type: string, deploymentId?: string): { label: string[] } {
  const label = [`${LABEL_MANAGED_BY}=${MANAGED_BY}`, `${LABEL_TYPE}=${type}`];
  if (deploymentId) label.push(`${LABEL_DEPLOYMENT}=${deploymentId}`);
  return { label };
}

/** Ours and of this type: images pass their labels on to containers, hence the type check. */
export function isOurs(labels: Labels | null | undefined, type: string): boolean {
  return labels?.[LABEL_MANAGED_BY] === MANAGED_BY && labels[LABEL_TYPE] === type;
}

export function recordedSpec(labels: Labels | null | undefined): PropertyMap | undefined {
  const raw = labels?.[LABEL_SPEC];
  if (!raw) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as PropertyMap)
      : undefined;
  } catch {
    return undefined;
  }
}

export function managedIdentity(labels: Labels | null | undefined): { name?: string; deploymentId?: string } {
  const identity: { name?: string; deploymentId?: string } = {};
  if (labels?.[LABEL_NAME]) identity.name = labels[LABEL_NAME];
  if (labels?.[LABEL_DEPLOYMENT]) identity.deploymentId = labels[LABEL_DEPLOYMENT];
  return identity;
}

/** A Docker object name for a resource: `<deployment>-<name>`, in the characters Docker allows. */
export function objectName(context: HandlerContext): string {
  const raw = `${context.deploymentId}-${context.name}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
  return /^[a-zA-Z0-9]/.test(raw) ? raw : `x${raw}`;
}
