import Docker from "dockerode";
import { ProviderError } from "../../protocol/index.ts";

/** A dockerode client and where it points, for messages. */
export interface Engine {
  docker: Docker;
  /** `unix:///var/run/docker.sock`, or DOCKER_HOST as given. */
  where: string;
}

const DEFAULT_SOCKET = "unix:///var/run/docker.sock";
const PING_TIMEOUT_MS = 5_000;

/** Connects the way the docker CLI does: an explicit host, else DOCKER_HOST, else the default socket. */
export function connectEngine(host?: string): Engine {
  if (!host) return { docker: new Docker(), where: process.env.DOCKER_HOST || DEFAULT_SOCKET };
  if (host.startsWith("unix://")) return { docker: new Docker({ socketPath: host.slice(7) }), where: host };
  const url = new URL(host.includes("//") ? host.replace(/^tcp:/, "http:") : `http://${host}`);
  return {
    docker: new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: "http" }),
    where: host,
  };
}

export function unavailableMessage(where: string): string {
  return `no Docker engine answers at ${where}; start one (e.g. \`dockerd\`) or set DOCKER_HOST`;
}

export function unavailable(engine: Engine): ProviderError {
  return new ProviderError("UNAVAILABLE", unavailableMessage(engine.where), {
    details: { dockerHost: engine.where },
  });
}

/** Why the engine cannot be used, or undefined when it answers. */
export async function engineProblem(engine: Engine): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      engine.docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), PING_TIMEOUT_MS);
      }),
    ]);
    return undefined;
  } catch {
    return unavailableMessage(engine.where);
  } finally {
    clearTimeout(timer);
  }
}
