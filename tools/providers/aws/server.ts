import { readFileSync } from "node:fs";
import type { CloudControlClient } from "@aws-sdk/client-cloudcontrol";
import {
  createResourceProvider,
  type ListedResource,
  type PropertyMap,
  type ResourceTypeHandler,
  type ServeOptions,
  serveProvider,
} from "../../protocol/index.ts";
import { SIMPLE_MAPPINGS } from "./catalog.ts";
import { STATEFUL_MAPPINGS } from "./catalog-data.ts";
import { CloudControl, type PollSettings } from "./cloud-control.ts";
import { candidatesFor, genericMapping, searchKnown, tokenOf } from "./generic.ts";
import { loadBalancerType } from "./load-balancer.ts";
import { type AwsHandler, mappedType } from "./mapping.ts";
import { identity, readTags } from "./tags.ts";

export interface AwsProviderOptions {
  /** A Cloud Control client; default one from the SDK's chain (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDCONTROL...). */
  client?: CloudControlClient;
  poll?: PollSettings;
  /** The prefix the client mounts this server as; default MCP_IAC_SERVER_NAME. */
  mountName?: string;
}

const NAME = "aws";

const INSTRUCTIONS =
  "Manages AWS resources through the Cloud Control API: the curated aws:vpc, aws:ec2, aws:rds, aws:elb and aws:s3 types, " +
  "and any other CloudFormation type as aws:<service>:<resource-in-kebab-case> (aws:sqs:queue for AWS::SQS::Queue) with " +
  "CloudFormation's property names; describeResourceTypes({ query }) finds them. Resources that take tags carry " +
  "managed-by=mcp-iac, mcp-iac:deployment and mcp-iac:name.";

function packageVersion(): string {
  try {
    const url = new URL("../../../package.json", import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version?: string }).version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

type Handler = AwsHandler;

/** What exists on the account for the handlers, told apart by our tags. */
function listing(cc: CloudControl, handlersFor: (type: string | undefined) => Promise<Handler[]>) {
  /** Our view of one listed model; S3 and the load balancer need a full read (partial list, owned listeners). */
  async function listed(
    handler: Handler,
    id: string,
    model: PropertyMap,
  ): Promise<ListedResource | undefined> {
    const who = identity(readTags(model["Tags"]));
    const partial = handler.cfnType === "AWS::S3::Bucket" && model["Arn"] === undefined;
    const view = handler.fromList && !partial ? handler.fromList(id, model) : await handler.read(id);
    if (!view) return undefined;
    return {
      id,
      type: handler.type,
      ...(who.name ? { name: who.name } : {}),
      ...(who.deploymentId ? { deploymentId: who.deploymentId } : {}),
      properties: view.properties,
      outputs: view.outputs,
      managed: who.managed,
    };
  }

  async function list(filter: { type?: string; deploymentId?: string }): Promise<ListedResource[]> {
    const out: ListedResource[] = [];
    for (const handler of await handlersFor(filter.type)) {
      for (const { id, model } of await cc.list(handler.cfnType)) {
        if (filter.deploymentId && identity(readTags(model["Tags"])).deploymentId !== filter.deploymentId)
          continue;
        const entry = await listed(handler, id, model);
        if (entry) out.push(entry);
      }
    }
    return out;
  }

  /** One managed resource by its tags: a create cut off before its id came back is found, not remade. */
  async function findManaged(query: { deploymentId: string; type: string; name: string }) {
    for (const handler of await handlersFor(query.type)) {
      for (const { id, model } of await cc.list(handler.cfnType)) {
        const who = identity(readTags(model["Tags"]));
        if (who.deploymentId === query.deploymentId && who.name === query.name)
          return listed(handler, id, model);
      }
    }
    return undefined;
  }
  return { list, findManaged };
}

/** The AWS provider: the iac.mcp/v1 tools over Cloud Control, and an MCP server exposing them. */
export function createAwsProvider(options: AwsProviderOptions = {}) {
  const cc = new CloudControl(options.client, options.poll);
  const curated: Handler[] = [
    ...SIMPLE_MAPPINGS.map((mapping) => mappedType(cc, mapping)),
    ...STATEFUL_MAPPINGS.map((mapping) => mappedType(cc, mapping)),
    loadBalancerType(cc),
  ];
  /** Every handler served so far, curated or resolved on demand, by token. */
  const served = new Map<string, Handler>(curated.map((handler) => [handler.type, handler]));

  async function resolveType(token: string): Promise<ResourceTypeHandler | undefined> {
    for (const cfnType of candidatesFor(token)) {
      // No DescribeType here: Cloud Control itself says whether the type exists (TypeNotFoundException).
      if (!(await cc.typeExists(cfnType))) continue;
      const handler = mappedType(cc, genericMapping(cfnType, token));
      served.set(token, handler);
      return handler;
    }
    return undefined;
  }

  async function handlersFor(type: string | undefined): Promise<Handler[]> {
    if (!type) return [...served.values()];
    const handler = served.get(type) ?? (await resolveType(type));
    return handler ? [handler as Handler] : [];
  }

  const { list, findManaged } = listing(cc, handlersFor);

  const version = packageVersion();
  const mountName = options.mountName ?? (process.env["MCP_IAC_SERVER_NAME"] || undefined);
  const provider = createResourceProvider({
    name: NAME,
    version,
    instructions: INSTRUCTIONS,
    types: curated,
    list,
    findManaged,
    resolveType,
    async searchTypes(query) {
      const words = query.toLowerCase();
      const curatedHits = curated
        .filter((handler) =>
          `${handler.type} ${handler.cfnType} ${handler.description}`.toLowerCase().includes(words),
        )
        .map((handler) => handler.type);
      return [...new Set([...curatedHits, ...searchKnown(query).map((cfnType) => tokenOf(cfnType))])];
    },
    ...(mountName ? { mountName } : {}),
  });
  return { cloudControl: cc, tools: provider.tools, server: provider.server };
}

/** `agent provider aws`: serve the provider over stdio. */
export async function main(options: ServeOptions = {}): Promise<void> {
  const provider = createAwsProvider();
  await serveProvider(() => provider.server(), options);
}
