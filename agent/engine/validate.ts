import type { ResourceTypeInfo, ValidationIssue } from "../../tools/protocol/index.ts";
import { TypeCatalog } from "./catalog.ts";
import { callData, type ProviderGateway } from "./gateway.ts";
import { buildGraph } from "./graph.ts";
import { resolveReferences } from "./references.ts";
import { type Deployment, deploymentFromObject } from "./spec.ts";
import { SpecError, type SpecIssue } from "./spec-error.ts";

export interface DeploymentCheck {
  deployment?: Deployment;
  errors: SpecIssue[];
  warnings: SpecIssue[];
  types: Map<string, { server: string; info: ResourceTypeInfo }>;
}

/**
 * Everything the engine can say about a candidate spec without planning it: its shape, types,
 * references, cycles, and each provider's validateConfig. Used to answer a planner's submission.
 */
export async function checkCandidate(
  candidate: unknown,
  gateway: ProviderGateway,
  source = "the submitted spec",
): Promise<DeploymentCheck> {
  const types = new Map<string, { server: string; info: ResourceTypeInfo }>();
  let deployment: Deployment;
  try {
    deployment = deploymentFromObject(candidate, source);
  } catch (error) {
    if (error instanceof SpecError) return { errors: error.issues, warnings: [], types };
    throw error;
  }
  const catalog = new TypeCatalog(gateway);
  await catalog.load(deployment.resources.map((resource) => resource.type));
  for (const [type, entry] of await catalog.snapshot()) types.set(type, entry);
  const errors: SpecIssue[] = [];
  deployment.resources.forEach((resource, index) => {
    const reason = catalog.routeError(resource.type);
    if (reason) errors.push({ resource: resource.name, path: `resources[${index}].type`, message: reason });
  });
  if (errors.length > 0) return { deployment, errors, warnings: [], types };
  try {
    buildGraph(deployment, {
      typeInfo: (type) => types.get(type)?.info,
      knownTypes: await catalog.knownTypes(),
    });
  } catch (error) {
    if (error instanceof SpecError) return { deployment, errors: error.issues, warnings: [], types };
    throw error;
  }
  const warnings: SpecIssue[] = [];
  const byServer = new Map<string, Deployment["resources"]>();
  for (const resource of deployment.resources) {
    const server = types.get(resource.type)!.server;
    const resolved = { ...resource, properties: resolveReferences(resource.properties, () => undefined) };
    byServer.set(server, [...(byServer.get(server) ?? []), resolved]);
  }
  await Promise.all(
    [...byServer].map(async ([server, resources]) => {
      const validation = await callData(gateway, server, "validateConfig", { resources });
      for (const issue of validation.issues as ValidationIssue[]) {
        const entry = { resource: issue.resource, path: issue.path, message: issue.message };
        (issue.severity === "error" ? errors : warnings).push(entry);
      }
    }),
  );
  return { deployment, errors, warnings, types };
}
