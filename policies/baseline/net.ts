import { isUnknown } from "../unknowns.ts";

/** Ports whose services administer a machine or a cluster; never open them to the whole internet. */
export const ADMIN_PORTS: ReadonlyMap<number, string> = new Map([
  [22, "SSH"],
  [23, "Telnet"],
  [3389, "RDP"],
  [5900, "VNC"],
  [2375, "the Docker API"],
  [2376, "the Docker API (TLS)"],
  [6443, "the Kubernetes API"],
  [10250, "the kubelet API"],
]);

/** The OPNsense web UI, an admin surface only where the destination is the firewall itself. */
export const FIREWALL_UI_PORTS: ReadonlyMap<number, string> = new Map([
  [80, "the firewall's web UI"],
  [443, "the firewall's web UI"],
]);

/** Service names OPNsense accepts in a port field, for the ports this pack cares about. */
const PORT_NAMES: Record<string, number> = {
  ssh: 22,
  telnet: 23,
  http: 80,
  https: 443,
  "ms-wbt-server": 3389,
  rdp: 3389,
  vnc: 5900,
};

const ANY_ADDRESS = new Set(["any", "*", "0.0.0.0/0", "::/0"]);

export interface Alias {
  type: string;
  content: unknown[];
}

/** OPNsense aliases declared in the same deployment, by alias name, so rules that use them can be judged. */
export type Aliases = ReadonlyMap<string, Alias>;

/**
 * Whether an address field means "from anywhere". Missing means any (OPNsense's default); a value
 * not known before apply, or an alias not in this deployment, is not judged.
 */
export function isAnyAddress(value: unknown, aliases: Aliases): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== "string") return false;
  const text = value.trim().toLowerCase();
  if (ANY_ADDRESS.has(text)) return true;
  const alias = aliases.get(value.trim());
  return (
    alias !== undefined &&
    (alias.type === "network" || alias.type === "host") &&
    alias.content.some((item) => typeof item === "string" && ANY_ADDRESS.has(item.trim().toLowerCase()))
  );
}

/** `(self)`, `This Firewall`, `wanip`, `lanip`, `opt1ip`: the firewall's own addresses. */
export function isFirewallItself(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const text = value.trim().toLowerCase();
  return text === "(self)" || text === "self" || text === "this firewall" || /^[a-z][a-z0-9_]*ip$/.test(text);
}

/** A set of ports: every port, or ranges; `unknown` when part of it cannot be judged. */
export interface PortSet {
  all: boolean;
  ranges: [number, number][];
  unknown: boolean;
}

function addPortText(text: string, into: PortSet, aliases: Aliases, depth: number): void {
  for (const raw of text.split(",")) {
    const part = raw.trim().toLowerCase();
    if (part === "") continue;
    if (part === "any" || part === "*") {
      into.all = true;
      continue;
    }
    const single = /^\d{1,5}$/.exec(part);
    if (single) {
      into.ranges.push([Number(part), Number(part)]);
      continue;
    }
    // OPNsense writes ranges as 8000-8080 in rules and 8000:8080 in port aliases.
    const range = /^(\d{1,5})[-:](\d{1,5})$/.exec(part);
    if (range) {
      into.ranges.push([Number(range[1]), Number(range[2])]);
      continue;
    }
    const named = PORT_NAMES[part];
    if (named !== undefined) {
      into.ranges.push([named, named]);
      continue;
    }
    const alias = aliases.get(raw.trim());
    if (alias?.type === "port" && depth < 3) {
      for (const item of alias.content) addPortValue(item, into, aliases, depth + 1);
      continue;
    }
    into.unknown = true;
  }
}

function addPortValue(value: unknown, into: PortSet, aliases: Aliases, depth: number): void {
  if (typeof value === "number" && Number.isInteger(value)) into.ranges.push([value, value]);
  else if (typeof value === "string") addPortText(value, into, aliases, depth);
  else into.unknown = true;
}

/** The ports a port field covers. A missing field covers every port. */
export function portSet(value: unknown, aliases: Aliases = new Map()): PortSet {
  const set: PortSet = { all: false, ranges: [], unknown: false };
  if (value === undefined || value === null || value === "") set.all = true;
  else if (isUnknown(value)) set.unknown = true;
  else addPortValue(value, set, aliases, 0);
  return set;
}

export function rangeSet(from: number, to: number): PortSet {
  return { all: false, ranges: [[Math.min(from, to), Math.max(from, to)]], unknown: false };
}

/** The listed ports a set covers, as "SSH (22)". */
export function portsHit(set: PortSet, candidates: ReadonlyMap<number, string>): string[] {
  const hits: string[] = [];
  for (const [port, label] of candidates) {
    if (set.all || set.ranges.some(([from, to]) => port >= from && port <= to))
      hits.push(`${label} (${port})`);
  }
  return hits;
}

export function describeList(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
