import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { PolicySet } from "../policies/index.ts";
import type { ResourceTypeInfo } from "../tools/protocol/index.ts";
import type { AgentRoot } from "./compose.ts";
import { type Deployment, deploymentFromObject, parseSpec } from "./engine/spec.ts";
import type { RunEvent } from "./events.ts";
import { applyDeployment, destroyDeployment, planOnly, type Workspace } from "./operations.ts";
import type { SecretScrubber } from "./secrets.ts";

export interface AgentMcpOptions {
  /** A workspace per call, whose events are collected for that call's answer. */
  workspace(emit: (event: RunEvent) => void): Workspace;
  policies: PolicySet;
  /** The configured provider servers, whose types list_resource_types and describe_resource_type show. */
  servers: readonly string[];
  /** apply and destroy exist only when the person serving the agent allowed them (`--allow-apply`). */
  allowApply: boolean;
  scrubber: SecretScrubber;
  version: string;
}

const SpecInput = z
  .union([z.string(), z.record(z.string(), z.unknown())])
  .describe(
    "the deployment spec: YAML or JSON text, or the object ({ apiVersion, kind, metadata, spec } or { name, resources })",
  );

function toDeployment(spec: string | Record<string, unknown>): Deployment {
  return typeof spec === "string" ? parseSpec(spec, "the spec") : deploymentFromObject(spec, "the spec");
}

type ToolAnswer = {
  content: { type: "text"; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: true;
};
type Answer = (work: (events: RunEvent[], workspace: Workspace) => Promise<unknown>) => Promise<ToolAnswer>;

/** A call's answer: the result and the run's events once each; isError when it failed or was stopped. */
function answerer(options: AgentMcpOptions): Answer {
  const { scrubber } = options;
  return async (work) => {
    const events: RunEvent[] = [];
    const workspace = options.workspace((event) => events.push(event));
    try {
      const result = await work(events, workspace);
      // The plan is in the result already; its event would be a second copy of the same text.
      const kept = events.filter((event) => event.type !== "plan.ready");
      const data = scrubber.scrubDeep({ result, events: kept }) as Record<string, unknown>;
      const failure = failureOf(result);
      const text = failure ? `${failure}\n${JSON.stringify(data)}` : JSON.stringify(data);
      return {
        content: [{ type: "text", text }],
        structuredContent: data,
        ...(failure ? { isError: true } : {}),
      };
    } catch (error) {
      const message = scrubber.scrub(error instanceof Error ? error.message : String(error));
      const hint = (error as { hint?: string }).hint;
      const text = hint ? `${message} (${scrubber.scrub(hint)})` : message;
      return { content: [{ type: "text", text }], isError: true };
    }
  };
}

/** The types the configured servers offer, in brief (with a query) or one in full. */
function registerTypeTools(server: McpServer, options: AgentMcpOptions, answer: Answer): void {
  server.registerTool(
    "list_resource_types",
    {
      description:
        "List the resource types the configured provider servers offer (type names like opnsense:network:vlan, with a one-line description each). Call this first to learn what a spec may contain; optional `query` filters by words in the type or description.",
      inputSchema: {
        query: z
          .string()
          .optional()
          .describe("words to match in the type name or description, e.g. 'database'"),
      },
    },
    ({ query }) =>
      answer(async (_events, workspace) => {
        const types = await allTypes(workspace, options.servers);
        const words = (query ?? "").toLowerCase().split(/\s+/).filter(Boolean);
        return types
          .filter((info) =>
            words.every((word) => `${info.type} ${info.description}`.toLowerCase().includes(word)),
          )
          .map((info) => ({ type: info.type, description: info.description }));
      }),
  );
  server.registerTool(
    "describe_resource_type",
    {
      description:
        "Describe one resource type in full: the JSON Schema of its properties (with examples), its outputs (what ${name.output} references can use), which property changes force a replacement, and which properties are secret.",
      inputSchema: { type: z.string().describe("a type from list_resource_types, e.g. aws:rds:instance") },
    },
    ({ type }) =>
      answer(async (_events, workspace) => {
        const types = await allTypes(workspace, options.servers);
        const found = types.find((info) => info.type === type);
        if (!found) {
          const prefix = type.split(":")[0];
          const near = types.filter((info) => info.type.startsWith(`${prefix}:`)).map((info) => info.type);
          throw new Error(
            `no configured server describes the type ${type}${near.length > 0 ? `; ${prefix} offers ${near.join(", ")}` : ""}`,
          );
        }
        return found;
      }),
  );
}

/** Plan and policy check: nothing changes. */
function registerPlanTools(server: McpServer, options: AgentMcpOptions, answer: Answer): void {
  server.registerTool(
    "plan",
    {
      description:
        "Plan a deployment spec without changing anything: every change across all providers (create, update, replace, delete) with its risk, reading what exists first. The result holds the plan and, when a mandatory policy would stop an apply, `blocked` with the findings (then isError is set).",
      inputSchema: { spec: SpecInput },
    },
    ({ spec }) =>
      answer((_events, workspace) => planOnly(workspace, toDeployment(spec), { policies: options.policies })),
  );
  server.registerTool(
    "policy_check",
    {
      description:
        "Check a deployment spec against the configured policies (no provider is called). Mandatory findings block an apply; advisory ones are warnings.",
      inputSchema: { spec: SpecInput },
    },
    ({ spec }) => answer(async () => options.policies.checkDeployment(toDeployment(spec))),
  );
}

/** What state holds: the deployments, and one in full. */
function registerStateTools(server: McpServer, answer: Answer): void {
  server.registerTool(
    "state_list",
    {
      description: "List the deployments that state holds, with their resource counts and last run.",
      inputSchema: {},
    },
    () => answer((_events, workspace) => workspace.state.list()),
  );
  server.registerTool(
    "state_show",
    {
      description:
        "Show one deployment from state: its resources with ids, properties and outputs (secrets as digests), pending operations and snapshots.",
      inputSchema: { name: z.string().describe("the deployment's name, as state_list shows it") },
    },
    ({ name }) =>
      answer(async (_events, workspace) => {
        const state = await workspace.state.read(name);
        if (!state) throw new Error(`no deployment named ${name} in state; state_list shows the deployments`);
        return state;
      }),
  );
}

/** apply and destroy: offered only with --allow-apply. */
function registerChangeTools(server: McpServer, options: AgentMcpOptions, answer: Answer): void {
  server.registerTool(
    "apply",
    {
      description:
        "Plan and apply a deployment spec, changing real infrastructure. Mandatory policies still block it (isError, nothing changed); on failure this run's changes are rolled back.",
      inputSchema: { spec: SpecInput },
    },
    ({ spec }) =>
      answer((_events, workspace) =>
        applyDeployment(workspace, toDeployment(spec), {
          approve: async () => true,
          policies: options.policies,
          command: "mcp apply",
        }),
      ),
  );
  server.registerTool(
    "destroy",
    {
      description:
        "Delete every resource of a deployment, in reverse dependency order. Stateful resources (databases, volumes) are deleted only if the server was started with --allow-destroy; otherwise isError with the finding, nothing deleted.",
      inputSchema: { name: z.string().describe("the deployment's name, as state_list shows it") },
    },
    ({ name }) =>
      answer((_events, workspace) =>
        destroyDeployment(workspace, name, { approve: async () => true, policies: options.policies }),
      ),
  );
}

/**
 * The agent itself as an MCP server (design §6, `agent mcp`): another agent or an IDE can plan,
 * check policy and read state; apply and destroy only when the person serving it said so.
 */
export function createAgentMcpServer(options: AgentMcpOptions): McpServer {
  const server = new McpServer(
    { name: "mcp-iac", version: options.version },
    {
      instructions:
        "mcp-iac plans infrastructure specs across iac.mcp/v1 provider servers, checks them against policy and reports state." +
        (options.allowApply
          ? " apply and destroy change real infrastructure."
          : " This server is read-only: apply and destroy are not offered."),
    },
  );
  const answer = answerer(options);
  registerTypeTools(server, options, answer);
  registerPlanTools(server, options, answer);
  registerStateTools(server, answer);
  if (options.allowApply) registerChangeTools(server, options, answer);
  return server;
}

/** `agent mcp` from the composition root: its servers, scrubber and per-call scrubbed, numbered workspaces. */
export async function agentMcpServerFor(
  root: AgentRoot,
  flags: { allowApply: boolean; allowDestroy: boolean; version: string },
): Promise<McpServer> {
  return createAgentMcpServer({
    workspace: (emit) => root.workspace(emit),
    servers: root.servers,
    policies: await root.policies({ allowDestroy: flags.allowDestroy }),
    allowApply: flags.allowApply,
    scrubber: root.scrubber,
    version: flags.version,
  });
}

/** Every type every configured server describes (a server that cannot answer is skipped). */
async function allTypes(workspace: Workspace, servers: readonly string[]): Promise<ResourceTypeInfo[]> {
  const out: ResourceTypeInfo[] = [];
  for (const server of servers) {
    try {
      out.push(...(await workspace.gateway.describe(server)).types);
    } catch {
      // An unreachable server offers nothing now; the others still answer.
    }
  }
  return out;
}

/** Why an operation's result is a failure for the caller, or undefined when it is not. */
function failureOf(result: unknown): string | undefined {
  if (!result || typeof result !== "object") return undefined;
  const value = result as {
    blocked?: { findings?: { policy: string; message: string }[] };
    outcome?: string;
    report?: { outcome?: string };
  };
  if (value.blocked) {
    const findings = value.blocked.findings ?? [];
    return `blocked by ${findings.length} mandatory policy finding(s): ${findings.map((f) => `${f.policy}: ${f.message}`).join("; ")}`;
  }
  const outcome = value.report?.outcome ?? value.outcome;
  if (outcome === "failed" || outcome === "rolled-back")
    return `the run ${outcome}; see the result for each change`;
  return undefined;
}
