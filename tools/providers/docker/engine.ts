import { createRequire } from "node:module";
import type Docker from "dockerode";
import { ProviderError } from "../../protocol/index.ts";

/** A dockerode client and where it points, for messages. */
export interface Engine {
  docker: Docker;
  /** `unix:///var/run/docker.sock`, or DOCKER_HOST as given. */
  where: string;
}

const DEFAULT_SOCKET = "unix:///var/run/docker.sock";
const PING_TIMEOUT_MS = 5_000;

/**
 * Connects the way the docker CLI does: an explicit host, else DOCKER_HOST, else the default socket.
 * dockerode (with ssh2 and its kin, about a third of a second to load) is required on the first use of
 * the client, not at start-up: the provider answers `initialize` and describes its types without it.
 */
export function connectEngine(host?: string): Engine {
  const where = host || process.env.DOCKER_HOST || DEFAULT_SOCKET;
  let docker: Docker | undefined;
  return {
    where,
    get docker() {
      docker ??= newClient(host);
      return docker;
    },
  };
}

function newClient(host: string | undefined): Docker {
  const DockerClient = createRequire(import.meta.url)("dockerode") as typeof Docker;
  if (!host) return new DockerClient();
  if (host.startsWith("unix://")) return new DockerClient({ socketPath: host.slice(7) });
  const url = new URL(host.includes("//") ? host.replace(/^tcp:/, "http:") : `http://${host}`);
  return new DockerClient({ host: url.hostname, port: Number(url.port || 2375), protocol: "http" });
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
