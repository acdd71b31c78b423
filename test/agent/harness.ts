import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunEvent } from "../../agent/events.ts";
import type { LanguageModel } from "../../agent/llm/types.ts";
import { type GoalReport, type GoalRequest, runGoal } from "../../agent/run.ts";
import { SecretScrubber, secretsFromConfig } from "../../agent/secrets.ts";
import { createFileBackend } from "../../agent/state/index.ts";
import { createMemoryStore } from "../../memory/index.ts";
import { loadPolicies } from "../../policies/index.ts";
import { ProviderClients } from "../../tools/client/index.ts";
import type { ListedResource } from "../../tools/protocol/index.ts";
import { AGENT, PREFIXES } from "../e2e/harness.ts";

export interface AgentRig {
  dir: string;
  events: RunEvent[];
  run(goal: string, model: LanguageModel | undefined, request?: Partial<GoalRequest>): Promise<GoalReport>;
  world(deploymentId: string): Promise<ListedResource[]>;
  close(): Promise<void>;
}

/** In-process agent services over real stdio mock servers in a temporary folder. */
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
  const events: RunEvent[] = [];
  const open: ProviderClients[] = [];
  const clientsFor = () => {
    const clients = new ProviderClients(servers, {
      cwd: dir,
      builtinCommand: { command: process.execPath, args: [AGENT] },
    });
    open.push(clients);
    return clients;
  };
  return {
    dir,
    events,
    async run(goal, model, request = {}) {
      const clients = clientsFor();
      const scrubber = new SecretScrubber();
      secretsFromConfig(servers as Record<string, { env?: Record<string, string> }>, {}, scrubber);
      const memory = createMemoryStore({ file: join(dir, ".mcp-iac", "memory.json") });
      try {
        return await runGoal(
          {
            workspace: {
              gateway: clients,
              state: createFileBackend(join(dir, ".mcp-iac")),
              emit: (event) => events.push(event),
            },
            servers: Object.keys(servers),
            policies: await loadPolicies(["builtin:baseline"], { cwd: dir }),
            memory,
            model,
            modelDescription: model ? `model: scripted ${model.model}` : "offline planner",
            scrubber,
          },
          { goal, approve: async () => true, ...request },
        );
      } finally {
        await memory.close();
        await clients.close();
      }
    },
    async world(deploymentId) {
      const clients = clientsFor();
      const all: ListedResource[] = [];
      for (const prefix of PREFIXES) {
        const envelope = await clients.call(prefix, "listResources", { filter: { deploymentId } });
        all.push(...(envelope.data?.resources ?? []));
      }
      await clients.close();
      return all;
    },
    async close() {
      await Promise.all(open.map((clients) => clients.close()));
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
