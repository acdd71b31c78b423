import type Docker from "dockerode";
import { deepEqual, type HandlerContext, type PropertyMap, secretDigest } from "../../protocol/index.ts";
import { isOurs, type Labels, managedIdentity, objectName, ownLabels, recordedSpec } from "./labels.ts";
import {
  type ApiHealthcheck,
  type EnvTypes,
  envTypes,
  formatPort,
  formatRestart,
  type HealthcheckSpec,
  type MountSpec,
  parseEnvList,
  parseMount,
  parsePort,
  portKey,
  restartPolicy,
  toApiHealthcheck,
  toArgv,
  typedEnvValue,
} from "./values.ts";

export const CONTAINER_TYPE = "docker:container:run";

type Inspect = Docker.ContainerInspectInfo;

export function envOf(properties: PropertyMap): Record<string, unknown> {
  const env = properties.env;
  return env && typeof env === "object" && !Array.isArray(env) ? (env as Record<string, unknown>) : {};
}

/** What goes into the spec label: everything but env values (only their keys and JSON types). */
export function recordable(properties: PropertyMap): PropertyMap {
  return properties.env === undefined
    ? { ...properties }
    : { ...properties, env: envTypes(envOf(properties)) };
}

/** The engine's create request for a resource. */
export function createOptions(
  properties: PropertyMap,
  context: HandlerContext,
): Docker.ContainerCreateOptions {
  const ports = ((properties.ports as string[] | undefined) ?? []).map(parsePort);
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const port of ports) {
    const key = `${port.containerPort}/${port.protocol}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: port.ip, HostPort: port.hostPort }];
  }
  const hostConfig: Docker.HostConfig = { RestartPolicy: restartPolicy(properties.restart) };
  if (ports.length > 0) hostConfig.PortBindings = bindings;
  if (typeof properties.network === "string") hostConfig.NetworkMode = properties.network;
  const mounts = ((properties.mounts as unknown[] | undefined) ?? []).map((mount) => parseMount(mount));
  if (mounts.length > 0) {
    hostConfig.Mounts = mounts.map((mount) => ({
      Type: mount.type,
      Source: mount.source,
      Target: mount.target,
      ReadOnly: mount.readOnly,
    }));
  }
  const options: Docker.ContainerCreateOptions = {
    name: objectName(context),
    Image: String(properties.image),
    Labels: {
      ...((properties.labels as Labels | undefined) ?? {}),
      ...ownLabels(context, CONTAINER_TYPE, recordable(properties)),
    },
    HostConfig: hostConfig,
  };
  const argv = toArgv(properties.command);
  if (argv) options.Cmd = argv;
  const env = Object.entries(envOf(properties));
  if (env.length > 0) options.Env = env.map(([key, value]) => `${key}=${String(value)}`);
  if (ports.length > 0) options.ExposedPorts = exposed;
  if (properties.healthcheck)
    options.Healthcheck = toApiHealthcheck(properties.healthcheck as HealthcheckSpec);
  return options;
}

function liveMounts(info: Inspect): MountSpec[] {
  const mounts = (info.HostConfig.Mounts ?? []) as Docker.MountSettings[];
  return mounts.map((mount) => ({
    type: mount.Type as MountSpec["type"],
    source: mount.Source,
    target: mount.Target,
    readOnly: mount.ReadOnly === true,
  }));
}

function livePorts(info: Inspect): string[] {
  const bindings = (info.HostConfig.PortBindings ?? {}) as Record<
    string,
    { HostIp?: string; HostPort?: string }[] | null
  >;
  const out: string[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const [containerPort = "", protocol = "tcp"] = key.split("/");
    for (const binding of list ?? []) {
      out.push(
        formatPort({ ip: binding.HostIp ?? "", hostPort: binding.HostPort ?? "", containerPort, protocol }),
      );
    }
  }
  return out;
}

function liveHealthcheck(info: Inspect): ApiHealthcheck | undefined {
  const health = (info.Config as { Healthcheck?: ApiHealthcheck }).Healthcheck;
  if (!health) return undefined;
  const out: ApiHealthcheck = {};
  if (health.Test) out.Test = health.Test;
  if (health.Interval) out.Interval = health.Interval;
  if (health.Timeout) out.Timeout = health.Timeout;
  if (health.Retries) out.Retries = health.Retries;
  if (health.StartPeriod) out.StartPeriod = health.StartPeriod;
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && deepEqual([...a].sort(), [...b].sort());
}

function envDigest(info: Inspect, types: EnvTypes): unknown {
  const live = parseEnvList(info.Config.Env);
  const env: Record<string, unknown> = {};
  for (const key of Object.keys(types)) {
    const raw = live.get(key);
    if (raw !== undefined) env[key] = typedEnvValue(raw, types[key]);
  }
  // Env values are treated as secret: reads show only a digest the orchestrator can compare.
  return secretDigest(env);
}

/** Live value of one spec key, in the spec's own form when the engine agrees with it. */
function liveValue(info: Inspect, key: string, recorded: unknown): unknown {
  switch (key) {
    case "image":
      return info.Config.Image;
    case "command": {
      const live = info.Config.Cmd ?? null;
      return deepEqual(toArgv(recorded) ?? null, live) ? recorded : live;
    }
    case "env":
      return envDigest(info, recorded as EnvTypes);
    case "ports": {
      const live = livePorts(info);
      const want = (recorded as string[]).map((spec) => portKey(parsePort(spec)));
      return sameSet(
        want,
        live.map((spec) => portKey(parsePort(spec))),
      )
        ? recorded
        : live;
    }
    case "mounts": {
      const live = liveMounts(info);
      return deepEqual(
        (recorded as unknown[]).map((mount) => parseMount(mount)),
        live,
      )
        ? recorded
        : live;
    }
    case "network":
      return info.HostConfig.NetworkMode === recorded ? recorded : info.HostConfig.NetworkMode;
    case "labels": {
      const live = info.Config.Labels ?? {};
      const picked = Object.fromEntries(
        Object.keys(recorded as Labels).flatMap((k) => (k in live ? [[k, live[k]]] : [])),
      );
      return deepEqual(picked, recorded) ? recorded : picked;
    }
    case "healthcheck": {
      const live = liveHealthcheck(info);
      return deepEqual(toApiHealthcheck(recorded as HealthcheckSpec), live) ? recorded : (live ?? null);
    }
    default:
      return recorded;
  }
}

/** What an unmanaged container looks like as properties, for import. */
function discoveredProperties(info: Inspect): PropertyMap {
  const properties: PropertyMap = { image: info.Config.Image };
  if (info.Config.Cmd) properties.command = info.Config.Cmd;
  const env = parseEnvList(info.Config.Env);
  if (env.size > 0) properties.env = secretDigest(Object.fromEntries(env));
  const ports = livePorts(info);
  if (ports.length > 0) properties.ports = ports;
  const mounts = liveMounts(info);
  if (mounts.length > 0) properties.mounts = mounts;
  if (info.HostConfig.NetworkMode) properties.network = info.HostConfig.NetworkMode;
  if (info.Config.Labels && Object.keys(info.Config.Labels).length > 0)
    properties.labels = info.Config.Labels;
  return properties;
}

export function containerOutputs(info: Inspect): PropertyMap {
  const mode = info.HostConfig.NetworkMode;
  const networks = Object.values(info.NetworkSettings?.Networks ?? {});
  // With host networking the container's services are on the host's addresses; loopback reaches them.
  const ip =
    mode === "host"
      ? "127.0.0.1"
      : (info.NetworkSettings as { IPAddress?: string } | undefined)?.IPAddress ||
        networks.find((n) => n.IPAddress)?.IPAddress ||
        "";
  return { id: info.Id, ip, state: info.State.Status, name: info.Name.replace(/^\//, "") };
}

/** Properties and identity of a container as the engine has it now. */
export function describeContainer(info: Inspect): {
  properties: PropertyMap;
  outputs: PropertyMap;
  managed: boolean;
  name?: string;
  deploymentId?: string;
} {
  const labels = info.Config.Labels;
  const recorded = isOurs(labels, CONTAINER_TYPE) ? recordedSpec(labels) : undefined;
  const outputs = containerOutputs(info);
  if (!recorded) {
    return { properties: discoveredProperties(info), outputs, managed: false };
  }
  const properties: PropertyMap = {};
  for (const [key, value] of Object.entries(recorded)) {
    if (key === "restart") continue;
    properties[key] = liveValue(info, key, value);
  }
  // Restart is the one thing updated in place, so it comes from the engine rather than the label.
  const restart = formatRestart(info.HostConfig.RestartPolicy);
  if (recorded.restart !== undefined || restart !== "no") {
    properties.restart = deepEqual(restartPolicy(recorded.restart), restartPolicy(restart))
      ? recorded.restart
      : restart;
  }
  return { properties, outputs, managed: true, ...managedIdentity(labels) };
}
