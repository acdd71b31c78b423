import { readFileSync } from "node:fs";
import {
  type Change,
  createResourceProvider,
  isUnknown,
  type ListedResource,
  type PropertyMap,
  ProviderError,
  type Resource,
  type ServeOptions,
  sameSecretAware,
  serveProvider,
  TOOL_NAMES,
  type ToolHandlers,
  type ToolInput,
  type ToolName,
} from "../../protocol/index.ts";
import { CollectionApi } from "./api.ts";
import { user } from "./auth.ts";
import { clientOptionsFromEnv, OpnsenseClient } from "./client.ts";
import { dhcpRange, dhcpStatic } from "./dhcp.ts";
import { dnsOverride } from "./dns.ts";
import { firewallAlias, firewallRule } from "./firewall.ts";
import { haproxyBackend, haproxyFrontend, haproxyServer, SERVERS } from "./haproxy.ts";
import { type BuiltType, buildType, canonical, type ItemSpec, type TypeContext } from "./item-type.ts";
import { aliasIssues } from "./lockout.ts";
import { firewallNat } from "./nat.ts";
import { networkInterface, vlan } from "./network.ts";
import { fileStore, snapshotDir, snapshots } from "./snapshot.ts";
import { certificate } from "./trust.ts";

const NAME = "opnsense";
const INSTRUCTIONS =
  "Manages one OPNsense firewall (26.7; 26.1 for what its API has) through its REST API: VLANs, interface assignments, " +
  "filter rules, aliases, port forwards, HAProxy, Unbound overrides, Kea DHCP, certificates and users. Each item it " +
  "creates carries [mcp-iac:<deployment>/<name>] at the end of its description.";

/** Dependency order: what others refer to comes first (snapshots restore in it, delete in reverse). */
export const SPECS: ItemSpec[] = [
  user,
  certificate,
  vlan,
  networkInterface,
  firewallAlias,
  firewallRule,
  firewallNat,
  haproxyServer,
  haproxyBackend,
  haproxyFrontend,
  dnsOverride,
  dhcpRange,
  dhcpStatic,
];

/** Tools that need only the schemas: they answer without a firewall (agent providers, plan-time checks). */
const OFFLINE_TOOLS: ReadonlySet<ToolName> = new Set(["describeResourceTypes", "validateConfig"]);

function packageVersion(): string {
  try {
    return (
      (
        JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
          version?: string;
        }
      ).version ?? "0.0.0"
    );
  } catch {
    return "0.0.0";
  }
}

export interface OpnsenseProviderOptions {
  env?: NodeJS.ProcessEnv;
  /** Where snapshots are kept; default OPNSENSE_PROVIDER_STATE_DIR, else .mcp-iac/opnsense-provider. */
  stateDir?: string;
}

/**
 * The firewall never gives a password back, so a refreshed read lacks it: compare the desired value
 * with the digest in state instead, and drop the entry when they agree.
 */
function writeOnlySecrets(
  change: Change,
  input: ToolInput<"planDeployment">,
  secrets: readonly string[],
): Change {
  if (secrets.length === 0 || change.action !== "update") return change;
  const stored = input.current.find((entry) => entry.name === change.name)?.properties ?? {};
  const diff = change.diff.filter(
    (entry) =>
      !(
        secrets.includes(entry.path) &&
        entry.before === undefined &&
        stored[entry.path] !== undefined &&
        sameSecretAware(stored[entry.path], entry.after)
      ),
  );
  return diff.length === 0 ? { ...change, action: "noop", diff } : { ...change, diff };
}

/** Every item of the served types, managed or not. */
function firewallListing(built: BuiltType[]) {
  return async function list(filter: { type?: string; deploymentId?: string }): Promise<ListedResource[]> {
    const all: ListedResource[] = [];
    for (const entry of built) {
      if (filter.type && entry.spec.type !== filter.type) continue;
      try {
        all.push(...(await entry.list(filter.deploymentId)));
      } catch (error) {
        // A module this firewall lacks (no os-haproxy) lists nothing rather than failing discovery.
        if (!(ProviderError.isInstance(error) && error.code === "UNSUPPORTED")) throw error;
      }
    }
    return all;
  };
}

/** Snapshots of a deployment's items, restored through the collections (the backends' own servers too). */
function firewallSnapshots(
  built: BuiltType[],
  context: TypeContext,
  list: (filter: { deploymentId?: string }) => Promise<ListedResource[]>,
  dir: string,
) {
  const collections = [
    ...built.slice(0, 7),
    { spec: { ...haproxyServer, collection: SERVERS }, api: context.api(SERVERS) },
    ...built.slice(8),
  ].map((entry) => ({
    name: entry.spec.type,
    api: entry.api,
    reloadsFilter: entry.spec.reloadsFilter === true,
    markerField: entry.spec.markerField,
  }));
  return snapshots({
    client: context.client,
    collections,
    store: fileStore(dir),
    resources: async (deploymentId) =>
      (await list({ deploymentId })).map((entry) => ({
        type: entry.type,
        name: entry.name ?? entry.id,
        id: entry.id,
        properties: entry.properties,
      })),
  });
}

/** Tools but the offline ones fail with the client's set-up problem (no URL, no key) when there is one. */
function guarded(tools: ToolHandlers, problem: unknown): ToolHandlers {
  const out = {} as Record<string, (input: never) => Promise<unknown>>;
  for (const name of TOOL_NAMES) {
    const handler = tools[name] as (input: never) => unknown;
    out[name] = async (input) => {
      if (problem && !OFFLINE_TOOLS.has(name)) throw problem;
      return handler(input);
    };
  }
  return out as unknown as ToolHandlers;
}

/** The client from the environment, or the set-up problem the online tools will report. */
function connect(env: NodeJS.ProcessEnv): {
  client?: OpnsenseClient;
  problem?: unknown;
  context: TypeContext;
} {
  let client: OpnsenseClient | undefined;
  let problem: unknown;
  try {
    client = new OpnsenseClient(clientOptionsFromEnv(env));
  } catch (error) {
    problem = error;
  }
  const context: TypeContext = {
    client: client as OpnsenseClient,
    api: (collection) => new CollectionApi(client as OpnsenseClient, collection),
    lockout: { endpoint: () => client?.endpoint },
  };
  return { client, problem, context };
}

/** Mounted as another name (two firewalls: `fw2: { builtin: opnsense }`), types carry that prefix at the tools. */
function mountNames(env: NodeJS.ProcessEnv) {
  const mount =
    env.MCP_IAC_SERVER_NAME && env.MCP_IAC_SERVER_NAME !== NAME ? env.MCP_IAC_SERVER_NAME : undefined;
  return {
    mount,
    canonicalType: (type: string) =>
      mount && type.startsWith(`${mount}:`) ? `${NAME}${type.slice(mount.length)}` : type,
    mountedType: (type: string) =>
      mount && type.startsWith(`${NAME}:`) ? `${mount}${type.slice(NAME.length)}` : type,
  };
}

/** What the tools beyond the generic ones need. */
interface Served {
  base: ReturnType<typeof createResourceProvider>;
  context: TypeContext;
  byType: { get(type: string): BuiltType | undefined };
  mountedType(type: string): string;
  undo: ReturnType<typeof firewallSnapshots>;
}

/** A type or property this release cannot serve is UNSUPPORTED at plan time, naming the release. */
async function preflight({ byType, context }: Served, resource: Resource): Promise<void> {
  const entry = byType.get(resource.type);
  if (!entry) return;
  await entry.api.requireRelease(resource.type);
  if (
    entry.spec === networkInterface &&
    resource.properties["ipv4"] !== undefined &&
    !isUnknown(resource.properties["ipv4"])
  )
    await networkInterface.toFields({ ...resource.properties, device: "" }, context, {
      deploymentId: "",
      name: "",
    });
}

function lockoutIssues(context: TypeContext, resources: Resource[]) {
  const endpoint = context.lockout.endpoint();
  return endpoint ? aliasIssues(resources, endpoint) : [];
}

async function planDeployment(served: Served, input: ToolInput<"planDeployment">) {
  const { base, byType } = served;
  const issues = lockoutIssues(served.context, input.resources);
  if (issues.length > 0)
    throw new ProviderError("VALIDATION_FAILED", `${issues.length} validation error(s)`, {
      details: { issues },
    });
  for (const resource of input.resources) await preflight(served, resource);
  const canonicalResource = <T extends { type: string; properties: PropertyMap }>(resource: T): T => {
    const entry = byType.get(resource.type);
    return entry ? { ...resource, properties: canonical(entry.spec, resource.properties) } : resource;
  };
  const plan = await base.tools.planDeployment({
    ...input,
    resources: input.resources.map(canonicalResource),
    current: input.current.map(canonicalResource),
  });
  return {
    changes: plan.changes.map((change) =>
      writeOnlySecrets(change, input, byType.get(change.type)?.spec.secretProperties ?? []),
    ),
  };
}

/** The generic tools, with the lockout check, plan-time preflight and the firewall's own snapshots. */
function firewallTools(served: Served): ToolHandlers {
  const { base, undo } = served;
  return {
    ...base.tools,
    validateConfig: async (input: ToolInput<"validateConfig">) => {
      const result = await base.tools.validateConfig(input);
      const issues = [...result.issues, ...lockoutIssues(served.context, input.resources)];
      return { valid: !issues.some((issue) => issue.severity === "error"), issues };
    },
    planDeployment: (input: ToolInput<"planDeployment">) => planDeployment(served, input),
    createSnapshot: async ({ deploymentId }: ToolInput<"createSnapshot">) => {
      const taken = await undo.create(deploymentId);
      return {
        ...taken,
        resources: taken.resources.map((entry) => ({ ...entry, type: served.mountedType(entry.type) })),
      };
    },
    rollbackToSnapshot: ({ snapshotId }: ToolInput<"rollbackToSnapshot">) => undo.rollback(snapshotId),
  };
}

/** The OPNsense provider: the iac.mcp/v1 tools over the firewall's REST API. */
export function createOpnsenseProvider(options: OpnsenseProviderOptions = {}) {
  const env = options.env ?? process.env;
  const { client, problem, context } = connect(env);
  const built = SPECS.map((spec) => buildType(spec, context));
  const specs = new Map(built.map((entry) => [entry.spec.type, entry]));
  const { mount, canonicalType, mountedType } = mountNames(env);
  const list = firewallListing(built);
  const base = createResourceProvider({
    ...(mount ? { mountName: mount } : {}),
    name: NAME,
    version: packageVersion(),
    instructions: INSTRUCTIONS,
    types: built.map((entry) => entry.handler),
    list,
  });
  const undo = firewallSnapshots(
    built,
    context,
    list,
    snapshotDir(options.stateDir ?? env.OPNSENSE_PROVIDER_STATE_DIR),
  );
  const byType = { get: (type: string) => specs.get(canonicalType(type)) };
  const handlers = guarded(firewallTools({ base, context, byType, mountedType, undo }), problem);
  return {
    tools: handlers,
    client,
    server: () => base.server(handlers),
  };
}

/** `agent provider opnsense`: serve the provider over stdio. */
export async function main(options: ServeOptions = {}): Promise<void> {
  const provider = createOpnsenseProvider();
  await serveProvider(() => provider.server(), options);
}

export type { BuiltType };
