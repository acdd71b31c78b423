import { isAbsolute, resolve } from "node:path";

/** Splits a command string the way a shell would split words (quotes, backslashes), without a shell. */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === "\\" && i + 1 < command.length) {
      current += command[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} quote`);
  if (inWord) words.push(current);
  return words;
}

export function toArgv(command: unknown): string[] | undefined {
  if (command === undefined || command === null) return undefined;
  if (Array.isArray(command)) return command.map(String);
  return splitCommand(String(command));
}

/** One published port: `[ip:]hostPort:containerPort[/proto]` or `containerPort[/proto]`. */
export interface PortBinding {
  ip: string;
  hostPort: string;
  containerPort: string;
  protocol: string;
}

export const PORT_PATTERN = "^((\\[[0-9a-fA-F:.]+\\]|[0-9.]+):)?(\\d{0,5}:)?\\d{1,5}(/(tcp|udp|sctp))?$";

export function parsePort(spec: string): PortBinding {
  const bad = () => new Error(`"${spec}" is not [ip:]hostPort:containerPort[/tcp|udp]`);
  const [address = "", protocol = "tcp", ...rest] = spec.split("/");
  if (rest.length > 0 || !/^(tcp|udp|sctp)$/.test(protocol)) throw bad();
  // An IPv6 host address comes in brackets and holds colons of its own.
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(.*)$/.exec(address);
  const parts = v6 ? [v6[1] as string, ...(v6[2] as string).split(":")] : address.split(":");
  if (parts.length > 3 || (v6 && parts.length !== 3)) throw bad();
  const [containerPort = "", hostPort = "", ip = ""] = [...parts].reverse();
  if (!/^\d{1,5}$/.test(containerPort) || !/^\d{0,5}$/.test(hostPort) || (!v6 && !/^[0-9.]*$/.test(ip)))
    throw bad();
  return { ip, hostPort, containerPort, protocol };
}

export function formatPort(port: PortBinding): string {
  const ip = port.ip.includes(":") ? `[${port.ip}]` : port.ip;
  const host = port.hostPort ? `${ip ? `${ip}:` : ""}${port.hostPort}:` : "";
  return `${host}${port.containerPort}${port.protocol === "tcp" ? "" : `/${port.protocol}`}`;
}

export function portKey(port: PortBinding): string {
  return `${port.ip}|${port.hostPort}|${port.containerPort}/${port.protocol}`;
}

/** A mount: a volume by name or a host folder (bind) mapped to a path in the container. */
export interface MountSpec {
  type: "bind" | "volume" | "tmpfs";
  source: string;
  target: string;
  readOnly: boolean;
}

/** `source:target[:ro]` or `{ source, target, readOnly?, type? }`; a source that is a path is a bind. */
export function parseMount(spec: unknown, cwd = process.cwd()): MountSpec {
  if (typeof spec === "string") {
    const parts = spec.split(":");
    if (
      parts.length < 2 ||
      parts.length > 3 ||
      !parts[0] ||
      !parts[1] ||
      (parts[2] && !/^(ro|rw)$/.test(parts[2]))
    ) {
      throw new Error(`"${spec}" is not source:target[:ro]`);
    }
    return mountOf(parts[0], parts[1], parts[2] === "ro", undefined, cwd);
  }
  const object = spec as { source?: unknown; target?: unknown; readOnly?: unknown; type?: unknown };
  if (typeof object?.target !== "string") throw new Error("a mount needs a target path");
  const type = object.type === undefined ? undefined : String(object.type);
  if (type !== undefined && !["bind", "volume", "tmpfs"].includes(type))
    throw new Error(`mount type ${type} is not bind, volume or tmpfs`);
  return mountOf(
    String(object.source ?? ""),
    object.target,
    object.readOnly === true,
    type as MountSpec["type"],
    cwd,
  );
}

function mountOf(
  source: string,
  target: string,
  readOnly: boolean,
  type: MountSpec["type"] | undefined,
  cwd: string,
): MountSpec {
  if (!target.startsWith("/"))
    throw new Error(`mount target ${target} must be an absolute path in the container`);
  const looksLikePath = source.startsWith("/") || source.startsWith(".") || source.startsWith("~");
  const kind = type ?? (looksLikePath ? "bind" : "volume");
  const resolved = kind === "bind" && !isAbsolute(source) ? resolve(cwd, source) : source;
  return { type: kind, source: resolved, target, readOnly };
}

/** `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:N`. */
export const RESTART_PATTERN = "^(no|always|unless-stopped|on-failure(:\\d+)?)$";

export function restartPolicy(value: unknown): { Name: string; MaximumRetryCount: number } {
  const [name = "no", count] = String(value ?? "no").split(":");
  return { Name: name === "no" ? "" : name, MaximumRetryCount: count ? Number(count) : 0 };
}

export function formatRestart(policy: { Name?: string; MaximumRetryCount?: number } | undefined): string {
  const name = policy?.Name || "no";
  return name === "on-failure" && policy?.MaximumRetryCount ? `${name}:${policy.MaximumRetryCount}` : name;
}

export const DURATION_PATTERN = "^\\d+(\\.\\d+)?(ns|us|ms|s|m|h)$";
const NANOS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** `"30s"` → nanoseconds, as the Docker API wants them. */
export function durationNanos(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (!match) throw new Error(`"${value}" is not a duration like 500ms, 5s or 1m`);
  return Math.round(Number(match[1]) * (NANOS[match[2] as string] as number));
}

export interface HealthcheckSpec {
  test: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
}

export interface ApiHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/** A list test runs as is (`CMD`); a string goes through the image's shell (`CMD-SHELL`). */
export function toApiHealthcheck(spec: HealthcheckSpec): ApiHealthcheck {
  const test = Array.isArray(spec.test)
    ? spec.test[0] === "CMD" || spec.test[0] === "CMD-SHELL" || spec.test[0] === "NONE"
      ? spec.test
      : ["CMD", ...spec.test]
    : ["CMD-SHELL", spec.test];
  const out: ApiHealthcheck = { Test: test };
  if (spec.interval) out.Interval = durationNanos(spec.interval);
  if (spec.timeout) out.Timeout = durationNanos(spec.timeout);
  if (spec.retries !== undefined) out.Retries = spec.retries;
  if (spec.startPeriod) out.StartPeriod = durationNanos(spec.startPeriod);
  return out;
}

/** Env values keep their JSON type across a read: the label records it, the engine only has strings. */
export type EnvTypes = Record<string, "string" | "number" | "boolean">;

export function envTypes(env: Record<string, unknown>): EnvTypes {
  const types: EnvTypes = {};
  for (const [key, value] of Object.entries(env)) {
    types[key] = typeof value === "number" ? "number" : typeof value === "boolean" ? "boolean" : "string";
  }
  return types;
}

export function typedEnvValue(raw: string, type: EnvTypes[string] | undefined): unknown {
  if (type === "number" && raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
  if (type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  return raw;
}

export function parseEnvList(list: readonly string[] | null | undefined): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list ?? []) {
    const at = entry.indexOf("=");
    if (at > 0) env.set(entry.slice(0, at), entry.slice(at + 1));
    else env.set(entry, "");
  }
  return env;
}
