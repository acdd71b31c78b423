import {
  isUnknown,
  type PropertyMap,
  ProviderError,
  type Resource,
  type ValidationIssue,
} from "../../protocol/index.ts";
import type { OpnsenseClient } from "./client.ts";

/** The API's own address and port: the thing no rule, alias or NAT change may cut off. */
export interface Lockout {
  endpoint(): { host: string; port: number } | undefined;
}

const NAMED_PORTS: Record<string, number> = { http: 80, https: 443, ssh: 22 };

function ipToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255))
    return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Whether an address spec (csv of any, an address, a CIDR, the firewall itself) covers host. */
export function coversHost(spec: unknown, host: string): boolean {
  if (spec === undefined || spec === null || isUnknown(spec)) return spec === undefined;
  return String(spec)
    .split(",")
    .map((part) => part.trim().toLowerCase())
    .some((part) => {
      if (["any", "(self)", "thisfirewall", "self"].includes(part) || part === host.toLowerCase())
        return true;
      const [net, bits] = part.split("/");
      const a = ipToInt(host);
      const b = ipToInt(net ?? "");
      if (a === undefined || b === undefined || bits === undefined) return false;
      const size = 2 ** (32 - Number(bits));
      return Math.floor(a / size) === Math.floor(b / size);
    });
}

/** Whether a port spec (a number, a-b, a name, empty = all) covers port. */
export function coversPort(spec: unknown, port: number): boolean {
  if (spec === undefined || spec === "" || spec === "any") return true;
  if (isUnknown(spec)) return false;
  const text = String(spec).toLowerCase();
  const named = NAMED_PORTS[text];
  if (named !== undefined) return named === port;
  const range = /^(\d+)\s*[-:]\s*(\d+)$/.exec(text);
  if (range) return Number(range[1]) <= port && port <= Number(range[2]);
  return Number(text) === port;
}

const carriesTcp = (protocol: unknown) =>
  protocol === undefined || ["any", "tcp", "tcp/udp"].includes(String(protocol).toLowerCase());

const OVERRIDE = "set allowLockout: true on the resource to apply it anyway";

/** A block/reject rule that matches the API's address and port (source is not checked: ours is not known). */
export function ruleIssues(
  properties: PropertyMap,
  endpoint: { host: string; port: number },
): Omit<ValidationIssue, "resource">[] {
  if (properties["allowLockout"] === true || properties["enabled"] === false) return [];
  if (!["block", "reject"].includes(String(properties["action"]))) return [];
  if (!carriesTcp(properties["protocol"])) return [];
  if (!coversHost(properties["destination"] ?? "any", endpoint.host)) return [];
  if (!coversPort(properties["port"], endpoint.port)) return [];
  return [
    {
      path: "properties.action",
      message: `this ${properties["action"]} rule matches ${endpoint.host}:${endpoint.port}, the address the provider reaches the OPNsense API on, and would lock it out; narrow destination or port, or ${OVERRIDE}`,
      severity: "error",
    },
  ];
}

/** A port forward that would redirect the API's own address:port elsewhere. */
export function natIssues(
  properties: PropertyMap,
  endpoint: { host: string; port: number },
): Omit<ValidationIssue, "resource">[] {
  if (properties["allowLockout"] === true || properties["enabled"] === false) return [];
  if (!carriesTcp(properties["protocol"])) return [];
  if (!coversHost(properties["destination"] ?? "any", endpoint.host)) return [];
  if (!coversPort(properties["port"], endpoint.port)) return [];
  return [
    {
      path: "properties.port",
      message: `this port forward catches ${endpoint.host}:${endpoint.port}, the address the provider reaches the OPNsense API on, and would redirect it to ${String(properties["target"])}; narrow destination or port, or ${OVERRIDE}`,
      severity: "error",
    },
  ];
}

/**
 * Aliases are checked with the rules of the same batch that use them: an alias that makes a block rule
 * cover the API's address or port is refused (the rule too), unless either says allowLockout.
 */
export function aliasIssues(
  resources: Resource[],
  endpoint: { host: string; port: number },
): ValidationIssue[] {
  const aliases = new Map(
    resources
      .filter((r) => r.type.endsWith(":firewall:alias") && typeof r.properties["name"] === "string")
      .map((r) => [String(r.properties["name"]), r]),
  );
  const issues: ValidationIssue[] = [];
  for (const rule of resources.filter((r) => r.type.endsWith(":firewall:rule"))) {
    const p = rule.properties;
    if (
      p["allowLockout"] === true ||
      !["block", "reject"].includes(String(p["action"])) ||
      !carriesTcp(p["protocol"])
    )
      continue;
    const destAlias = aliases.get(String(p["destination"]));
    const portAlias = aliases.get(String(p["port"]));
    if (!destAlias && !portAlias) continue;
    const content = (alias: Resource | undefined) =>
      Array.isArray(alias?.properties["content"]) ? (alias.properties["content"] as unknown[]) : [];
    const hostHit = destAlias
      ? content(destAlias).some((c) => coversHost(String(c), endpoint.host))
      : coversHost(p["destination"] ?? "any", endpoint.host);
    const portHit = portAlias
      ? content(portAlias).some((c) => coversPort(String(c), endpoint.port))
      : coversPort(p["port"], endpoint.port);
    if (!hostHit || !portHit) continue;
    for (const alias of [destAlias, portAlias]) {
      if (!alias || alias.properties["allowLockout"] === true) continue;
      issues.push({
        resource: alias.name,
        path: "properties.content",
        message: `used by block rule ${rule.name}, this alias makes it match ${endpoint.host}:${endpoint.port}, the OPNsense API the provider uses; ${OVERRIDE}`,
        severity: "error",
      });
    }
  }
  return issues;
}

/**
 * Runs a write that reloads pf, then confirms the API still answers. If it does not, the error names
 * the configuration-history entry taken before the write, to restore from the console.
 */
export async function withLockoutProbe<T>(client: OpnsenseClient, work: () => Promise<T>): Promise<T> {
  let before: string | undefined;
  try {
    const history = (await client.get("core/backup/backups/this")) as { items?: { id?: string }[] };
    before = history.items?.[0]?.id;
  } catch {
    before = undefined; // history is a fallback; its absence must not block the write
  }
  let result: T | undefined;
  let failure: unknown;
  try {
    result = await work();
  } catch (error) {
    // A reload that cuts us off may take its own answer with it: probe before blaming the firewall.
    if (!(ProviderError.isInstance(error) && error.code === "UNAVAILABLE")) throw error;
    failure = error;
  }
  try {
    const answer = await client.send("GET", "core/firmware/info", undefined, 5_000);
    if (answer.status >= 500) throw new Error(`HTTP ${answer.status}`);
  } catch (error) {
    throw new ProviderError(
      "UNAVAILABLE",
      `the OPNsense API at ${client.base.origin} stopped answering after the filter was applied (${(error as Error).message}): the change may have locked the provider out. ` +
        `From the firewall's console, restore configuration history entry ${before ?? "(unknown: history could not be read)"} (System > Configuration > History, or console option 13) and reload the filter`,
      { retryable: false, details: { historyEntry: before } },
    );
  }
  if (failure) throw failure;
  return result as T;
}
