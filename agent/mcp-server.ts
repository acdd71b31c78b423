import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { PolicySet } from "../policies/index.ts";
import { type Deployment, deploymentFromObject, parseSpec } from "./engine/spec.ts";
import type { RunEvent } from "./events.ts";
import { applyDeployment, destroyDeployment, planOnly, type Workspace } from "./operations.ts";
import type { SecretScrubber } from "./secrets.ts";

export interface AgentMcpOptions {
  /** A workspace per call, whose events are collected for that call's answer. */
  workspace(emit: (event: RunEvent) => void): Workspace;
  policies: PolicySet;
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

  const answer = async (work: (events: RunEvent[], workspace: Workspace) => Promise<unknown>) => {
    const events: RunEvent[] = [];
    const workspace = options.workspace((event) => events.push(event));
    try {
      const data = options.scrubber.scrubDeep({ result: await work(events, workspace), events });
      return { content: [{ type: "text" as const, text: JSON.stringify(data) }], structuredContent: data };
    } catch (error) {
      const message = options.scrubber.scrub(error instanceof Error ? error.message : String(error));
      return { content: [{ type: "text" as const, text: message }], isError: true };
    }
  };

  server.registerTool(
    "plan",
    {
      description:
        "Plan a deployment spec: the changes across all providers, their risk, and policy findings. Changes nothing.",
      inputSchema: { spec: SpecInput },
    },
    ({ spec }) =>
      answer((_events, workspace) => planOnly(workspace, toDeployment(spec), { policies: options.policies })),
  );
  server.registerTool(
    "policy_check",
    {
      description: "Check a deployment spec against the configured policies.",
      inputSchema: { spec: SpecInput },
    },
    ({ spec }) => answer(async () => options.policies.checkDeployment(toDeployment(spec))),
  );
  server.registerTool("state_list", { description: "The deployments state holds.", inputSchema: {} }, () =>
    answer((_events, workspace) => workspace.state.list()),
  );
  server.registerTool(
    "state_show",
    {
      description: "One deployment's resources, outputs, pending operations and snapshots.",
      inputSchema: { name: z.string() },
    },
    ({ name }) => answer((_events, workspace) => workspace.state.read(name)),
  );
  if (options.allowApply) {
    server.registerTool(
      "apply",
      {
        description:
          "Plan and apply a deployment spec. Mandatory policies still block it; on failure this run's changes are rolled back.",
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
        description: "Delete every resource of a deployment, in reverse dependency order.",
        inputSchema: { name: z.string() },
      },
      ({ name }) =>
        answer((_events, workspace) =>
          destroyDeployment(workspace, name, { approve: async () => true, policies: options.policies }),
        ),
    );
  }
  return server;
}
