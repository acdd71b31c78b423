import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AgentRoot, composeAgent } from "../../agent/compose.ts";
import type { LoadedConfig } from "../../agent/config.ts";
import type { StampedEvent } from "../../agent/events.ts";
import type { LanguageModel } from "../../agent/llm/types.ts";
import { type GoalReport, type GoalRequest, runGoal } from "../../agent/run.ts";
import type { ListedResource } from "../../tools/protocol/index.ts";
import { AGENT, PREFIXES } from "../e2e/harness.ts";

export interface AgentRig {
  dir: string;
  events: StampedEvent[];
  run(goal: string, model: LanguageModel | undefined, request?: Partial<GoalRequest>): Promise<GoalReport>;
  world(deploymentId: string): Promise<ListedResource[]>;
  close(): Promise<void>;
}

/** In-process agent services, from the composition root, over real stdio mock servers in a temporary folder. */
export function agentRig(
  options: { env?: Partial<Record<(typeof PREFIXES)[number], Record<string, string>>>; dir?: string } = {},
): AgentRig {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "mcp-iac-agent-"));
  const servers = Object.fromEntries(
    PREFIXES.map((prefix) => [
      prefix,
      { builtin: "mock", ...(options.env?.[prefix] ? { env: options.env[prefix] } : {}) },
    ]),
  );
  const loaded: LoadedConfig = {
    config: { mcpServers: servers, policies: ["builtin:baseline"], state: { backend: "file" } },
    source: "test",
    sandbox: false,
  };
  const events: StampedEvent[] = [];
  const open: AgentRoot[] = [];
  const rootFor = (model?: LanguageModel) => {
    const root = composeAgent({
      cwd: dir,
      loaded,
      env: {},
      builtinCommand: { command: process.execPath, args: [AGENT] },
      model: { model, description: model ? `model: scripted ${model.model}` : "offline planner" },
    });
    open.push(root);
    return root;
  };
  return {
    dir,
    events,
    async run(goal, model, request = {}) {
      const root = rootFor(model);
      const memory = root.openMemory();
      try {
        const services = root.services({
          workspace: root.workspace((event) => events.push(event)),
          memory,
          policies: await root.policies(),
        });
        return await runGoal(services, { goal, approve: async () => true, ...request });
      } finally {
        await memory.close();
        await root.close();
      }
    },
    async world(deploymentId) {
      const { clients } = rootFor();
      const all: ListedResource[] = [];
      for (const prefix of PREFIXES) {
        const envelope = await clients.call(prefix, "listResources", { filter: { deploymentId } });
        all.push(...(envelope.data?.resources ?? []));
      }
      await clients.close();
      return all;
    },
    async close() {
      await Promise.all(open.map((root) => root.close()));
    },
  };
}

let callId = 0;
/** A scripted model turn that calls one tool. */
export function toolCall(name: string, input: unknown) {
  return {
    content: [{ type: "tool_call" as const, id: `call-${++callId}`, name, input }],
    stopReason: "tool_use" as const,
  };
}

export function text(content: string) {
  return { content: [{ type: "text" as const, text: content }], stopReason: "end" as const };
}

export function writeSeed(dir: string, resources: unknown[]): string {
  const file = join(dir, "seed.json");
  writeFileSync(file, JSON.stringify(resources));
  return file;
}

export const WEB = {
  name: "shop",
  resources: [
    { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.30.0.0/16" } },
    {
      type: "aws:vpc:subnet",
      name: "subnet",
      properties: { vpc: "${vpc.id}", cidrBlock: "10.30.1.0/24", availabilityZone: "us-east-1a" },
    },
    {
      type: "aws:ec2:instance",
      name: "web-1",
      properties: {
        instanceType: "t3.medium",
        ami: "ami-12345",
        subnet: "${subnet.id}",
        tags: { owner: "shop", environment: "test" },
      },
    },
    {
      type: "aws:rds:instance",
      name: "db",
      properties: {
        engine: "postgres",
        instanceClass: "db.t3.micro",
        allocatedStorage: 20,
        backupRetentionDays: 7,
        publiclyAccessible: false,
      },
    },
  ],
};
