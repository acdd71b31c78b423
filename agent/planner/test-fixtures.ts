import type { ContentBlock } from "../llm/types.ts";
import type { PlannerDeployment, PlannerFinding, PlannerTools, PlanWithModelInput } from "./model-planner.ts";

/** A small catalog in the shape describeResourceTypes gives, for the planner tests. */
export const SCHEMAS: PlanWithModelInput["schemas"] = [
  {
    type: "opnsense:network:vlan",
    description: "An 802.1Q VLAN on a parent interface.",
    properties: {
      type: "object",
      properties: { tag: { type: "integer", minimum: 1, maximum: 4094 }, interface: { type: "string" } },
      required: ["tag", "interface"],
    },
    outputs: { type: "object", properties: { id: { type: "string" }, device: { type: "string" } } },
  },
  {
    type: "aws:rds:instance",
    description: "A managed database.",
    properties: {
      type: "object",
      properties: { engine: { type: "string", enum: ["postgres"] }, publiclyAccessible: { type: "boolean" } },
      required: ["engine"],
    },
    outputs: { type: "object", properties: { id: { type: "string" }, endpoint: { type: "string" } } },
  },
];

export const EXAMPLES: PlanWithModelInput["examples"] = [
  {
    goal: "a guest VLAN",
    spec: {
      name: "guest",
      resources: [
        { type: "opnsense:network:vlan", name: "guest", properties: { tag: 30, interface: "igc2" } },
      ],
    },
  },
];

export const call = (id: string, name: string, input: unknown): ContentBlock => ({
  type: "tool_call",
  id,
  name,
  input,
});
export const text = (value: string): ContentBlock => ({ type: "text", text: value });

const REFERENCE = /\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}/g;

/**
 * A real, if small, validator standing in for the lead's: known types from SCHEMAS, required
 * properties, references to existing resources and listed outputs, and one policy (no public database).
 */
export async function fakeValidate(
  spec: unknown,
): Promise<{ deployment?: PlannerDeployment; findings: PlannerFinding[] }> {
  const findings: PlannerFinding[] = [];
  const document = spec as { name?: unknown; resources?: unknown };
  if (typeof document.name !== "string" || !Array.isArray(document.resources)) {
    return {
      findings: [
        { source: "schema", path: "spec", message: "expected { name, resources }", severity: "error" },
      ],
    };
  }
  const resources = document.resources as Array<{
    type: string;
    name: string;
    properties?: Record<string, unknown>;
  }>;
  const byName = new Map(resources.map((resource) => [resource.name, resource]));
  for (const resource of resources) {
    const schema = SCHEMAS.find((entry) => entry.type === resource.type);
    if (!schema) {
      findings.push({
        source: "schema",
        resource: resource.name,
        path: "type",
        message: `unknown type ${resource.type}`,
        severity: "error",
      });
      continue;
    }
    const properties = resource.properties ?? {};
    for (const required of (schema.properties["required"] as string[] | undefined) ?? []) {
      if (!(required in properties)) {
        findings.push({
          source: "schema",
          resource: resource.name,
          path: `properties.${required}`,
          message: "is required",
          severity: "error",
        });
      }
    }
    for (const [key, value] of Object.entries(properties)) {
      for (const match of String(value).matchAll(REFERENCE)) {
        const target = byName.get(match[1]!);
        const outputs = target && SCHEMAS.find((entry) => entry.type === target.type)?.outputs["properties"];
        if (!target || !outputs || !(match[2]! in (outputs as object))) {
          findings.push({
            source: "schema",
            resource: resource.name,
            path: `properties.${key}`,
            message: `reference ${match[0]} points at nothing`,
            severity: "error",
          });
        }
      }
    }
    if (resource.type === "aws:rds:instance" && properties["publiclyAccessible"] === true) {
      findings.push({
        source: "policy",
        resource: resource.name,
        path: "properties.publiclyAccessible",
        message: "a database must not be reachable from the internet",
        severity: "error",
      });
    }
    if (resource.type === "opnsense:network:vlan" && properties["description"] === undefined) {
      findings.push({
        source: "validate",
        resource: resource.name,
        path: "properties.description",
        message: "no description",
        severity: "warning",
      });
    }
  }
  const errors = findings.some((finding) => finding.severity === "error");
  return errors ? { findings } : { deployment: { name: document.name, resources }, findings };
}

export interface FakeTools extends PlannerTools {
  calls: string[];
}

export function fakeTools(overrides: Partial<PlannerTools> = {}): FakeTools {
  const calls: string[] = [];
  return {
    calls,
    async listResources(filter) {
      calls.push(`list ${filter.type ?? "*"}`);
      return overrides.listResources ? overrides.listResources(filter) : { resources: [] };
    },
    async getResource(type, id) {
      calls.push(`get ${type} ${id}`);
      return overrides.getResource
        ? overrides.getResource(type, id)
        : { id, type, properties: {}, outputs: {} };
    },
    async searchMemory(query) {
      calls.push(`memory ${query}`);
      return overrides.searchMemory ? overrides.searchMemory(query) : { patterns: [] };
    },
  };
}
