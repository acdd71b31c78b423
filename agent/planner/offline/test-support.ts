import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Resource, ResourceTypeInfo, ValidationIssue } from "../../../tools/protocol/index.ts";
import { createMockProvider, type MockProvider } from "../../../tools/providers/mock/provider.ts";
import { buildGraph } from "../../engine/graph.ts";
import { deploymentFromObject } from "../../engine/spec.ts";
import type { SpecResource } from "./types.ts";
import { ADMIN_PORTS } from "./vocabulary.ts";

/** References resolve only at apply; before that they reach providers as `{ $unknown }` (design §3). */
export function withUnknowns(value: unknown): unknown {
  if (typeof value === "string") return /\$\{[^}]+\}/.test(value) ? { $unknown: value } : value;
  if (Array.isArray(value)) return value.map(withUnknowns);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withUnknowns(item)]));
  }
  return value;
}

export interface SpecChecker {
  /** Schema issues (errors only) from the mock provider, plus spec and graph problems from the engine. */
  problems(deployment: { name: string; resources: SpecResource[] }): Promise<string[]>;
  close(): void;
}

/** The mock provider serving every catalog type, and the engine's own spec and graph checks. */
export async function createSpecChecker(): Promise<SpecChecker> {
  const worldFile = join(mkdtempSync(join(tmpdir(), "mcp-iac-offline-")), "mock.world.json");
  const provider: MockProvider = createMockProvider({ mountName: "mock", worldFile, env: {} });
  const described = await provider.tools.describeResourceTypes({});
  const types = new Map<string, ResourceTypeInfo>(described.types.map((info) => [info.type, info]));
  return {
    async problems(deployment) {
      const problems: string[] = [];
      try {
        const parsed = deploymentFromObject(JSON.parse(JSON.stringify(deployment)), "offline plan");
        buildGraph(parsed, { typeInfo: (type) => types.get(type), knownTypes: [...types.keys()] });
      } catch (error) {
        problems.push(
          error instanceof Error
            ? `${error.message} ${JSON.stringify((error as { issues?: unknown }).issues)}`
            : String(error),
        );
      }
      const resources: Resource[] = deployment.resources.map(({ type, name, properties, dependsOn }) => ({
        type,
        name,
        properties: withUnknowns(properties) as Record<string, unknown>,
        ...(dependsOn ? { dependsOn } : {}),
      }));
      const result = (await provider.tools.validateConfig({ resources })) as {
        valid: boolean;
        issues: ValidationIssue[];
      };
      for (const issue of result.issues) {
        if (issue.severity === "error") problems.push(`${issue.resource} ${issue.path}: ${issue.message}`);
      }
      if (!result.valid && problems.length === 0)
        problems.push("validateConfig said invalid without an error issue");
      return problems;
    },
    close: () => provider.close(),
  };
}

/** What no offline plan may ever contain, whatever the goal says. */
export function safetyViolations(resources: readonly SpecResource[]): string[] {
  const out: string[] = [];
  for (const resource of resources) {
    const properties = resource.properties;
    if (resource.type === "opnsense:firewall:rule") {
      const source = String(properties["source"] ?? "any");
      const destination = String(properties["destination"] ?? "any");
      if (source === "any" && destination === "any") out.push(`${resource.name}: any to any`);
      const port = Number(properties["port"]);
      if (source === "any" && ADMIN_PORTS.has(port))
        out.push(`${resource.name}: admin port ${port} open to any`);
    }
    if (resource.type === "aws:rds:instance") {
      if (properties["publiclyAccessible"] !== false) out.push(`${resource.name}: not explicitly private`);
      const days = properties["backupRetentionDays"];
      if (typeof days !== "number" || days < 1) out.push(`${resource.name}: backups ${String(days)}`);
    }
  }
  return out;
}
