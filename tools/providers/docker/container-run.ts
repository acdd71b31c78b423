import type Docker from "dockerode";
import {
  isUnknown,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
} from "../../protocol/index.ts";
import {
  CONTAINER_TYPE,
  containerOutputs,
  createOptions,
  describeContainer,
  envOf,
} from "./container-spec.ts";
import { dockerError, isNotFound } from "./docker-errors.ts";
import type { Engine } from "./engine.ts";
import { LABEL_MANAGED_BY } from "./labels.ts";
import { engineCall, readOrNull } from "./named-object.ts";
import {
  DURATION_PATTERN,
  PORT_PATTERN,
  parseMount,
  parsePort,
  RESTART_PATTERN,
  restartPolicy,
  splitCommand,
} from "./values.ts";

const durationSchema = { type: "string", pattern: DURATION_PATTERN, description: "e.g. 500ms, 5s, 1m" };

const properties = {
  type: "object",
  additionalProperties: false,
  required: ["image"],
  properties: {
    image: {
      type: "string",
      minLength: 1,
      description: "Image reference or id (sha256:…); pulled only when missing.",
    },
    command: {
      anyOf: [{ type: "array", items: { type: "string" } }, { type: "string" }],
      description: "Argument list, or a string split into words like a shell would (no shell runs it).",
    },
    env: {
      type: "object",
      additionalProperties: { type: ["string", "number", "boolean"] },
      description: "Environment; values are treated as secret.",
    },
    ports: {
      type: "array",
      items: { type: "string", pattern: PORT_PATTERN },
      description: "Published ports, [ip:]hostPort:containerPort[/proto], e.g. 127.0.0.1:8080:80.",
    },
    mounts: {
      type: "array",
      items: {
        anyOf: [
          { type: "string", description: "source:target[:ro]; a source that is a path is a bind mount" },
          {
            type: "object",
            additionalProperties: false,
            required: ["target"],
            properties: {
              source: { type: "string" },
              target: { type: "string" },
              readOnly: { type: "boolean" },
              type: { enum: ["bind", "volume", "tmpfs"] },
            },
          },
        ],
      },
    },
    network: { type: "string", description: "Network name or id; host and none are allowed." },
    labels: { type: "object", additionalProperties: { type: "string" } },
    restart: {
      type: "string",
      pattern: RESTART_PATTERN,
      description: "no, always, unless-stopped, on-failure[:N]",
    },
    healthcheck: {
      type: "object",
      additionalProperties: false,
      required: ["test"],
      properties: {
        test: { anyOf: [{ type: "array", items: { type: "string" } }, { type: "string" }] },
        interval: durationSchema,
        timeout: durationSchema,
        retries: { type: "integer", minimum: 0 },
        startPeriod: durationSchema,
      },
    },
  },
  // A commonly present image and no networking, so the conformance kit can run them; the second is an
  // in-place update (restart only).
  examples: [
    {
      image: "busybox:latest",
      command: ["sleep", "3600"],
      network: "none",
      env: { LOG_LEVEL: "info" },
      restart: "unless-stopped",
    },
    {
      image: "busybox:latest",
      command: ["sleep", "3600"],
      network: "none",
      env: { LOG_LEVEL: "info" },
      restart: "on-failure:3",
    },
  ],
};

const outputs = {
  type: "object",
  properties: {
    id: { type: "string" },
    ip: {
      type: "string",
      description: "The container's address; 127.0.0.1 with host networking, empty with none.",
    },
    state: { type: "string", description: "created, running, exited, …" },
    name: { type: "string", description: "The engine's name of the container." },
  },
};

function validate(props: PropertyMap): { path: string; message: string; severity: "error" | "warning" }[] {
  const issues: { path: string; message: string; severity: "error" | "warning" }[] = [];
  if (typeof props.command === "string") {
    try {
      splitCommand(props.command);
    } catch (error) {
      issues.push({ path: "properties.command", message: (error as Error).message, severity: "error" });
    }
  }
  (Array.isArray(props.mounts) ? props.mounts : []).forEach((mount, index) => {
    if (isUnknown(mount) || (typeof mount !== "string" && (typeof mount !== "object" || mount === null)))
      return;
    try {
      parseMount(mount);
    } catch (error) {
      issues.push({
        path: `properties.mounts[${index}]`,
        message: (error as Error).message,
        severity: "error",
      });
    }
  });
  (Array.isArray(props.ports) ? props.ports : []).forEach((port, index) => {
    if (typeof port !== "string") return;
    try {
      parsePort(port);
    } catch (error) {
      issues.push({
        path: `properties.ports[${index}]`,
        message: (error as Error).message,
        severity: "error",
      });
    }
  });
  if (
    (props.network === "host" || props.network === "none") &&
    Array.isArray(props.ports) &&
    props.ports.length > 0
  ) {
    issues.push({
      path: "properties.ports",
      message: `ports have no effect with network ${props.network}; remove them (with host the container binds host ports itself)`,
      severity: "error",
    });
  }
  for (const key of Object.keys(envOf(props))) {
    if (key === "" || key.includes("=")) {
      issues.push({
        path: `properties.env.${key}`,
        message: "an environment name cannot be empty or contain '='",
        severity: "error",
      });
    }
  }
  const labels = props.labels && typeof props.labels === "object" ? Object.keys(props.labels) : [];
  for (const key of labels) {
    if (key === LABEL_MANAGED_BY || key.startsWith("mcp-iac.")) {
      issues.push({
        path: `properties.labels.${key}`,
        message: `${key} is reserved for mcp-iac's own labels`,
        severity: "error",
      });
    }
  }
  return issues;
}

async function pull(engine: Engine, image: string): Promise<void> {
  const fail = (reason: string) =>
    new ProviderError("NOT_FOUND", `image ${image} is not on the engine and pulling it failed: ${reason}`);
  let stream: NodeJS.ReadableStream;
  try {
    stream = await engine.docker.pull(image);
  } catch (error) {
    throw fail(dockerError(engine, error, "pull").message.replace(/^pull: /, ""));
  }
  await new Promise<void>((resolve, reject) => {
    engine.docker.modem.followProgress(stream, (error: Error | null, events: { error?: string }[]) => {
      const failed = error?.message ?? events.find((event) => event.error)?.error;
      if (failed) reject(fail(failed));
      else resolve();
    });
  });
}

/** Creates the container, pulling its image first if the engine does not have it (and pulls are allowed). */
async function createWithPull(
  engine: Engine,
  options: Docker.ContainerCreateOptions,
  allowPull: boolean,
): Promise<Docker.Container> {
  try {
    return await engine.docker.createContainer(options);
  } catch (error) {
    const image = String(options.Image);
    if (!isNotFound(error) || image.startsWith("sha256:")) throw error;
    if (!allowPull) {
      throw new ProviderError(
        "NOT_FOUND",
        `image ${image} is not on the engine and pulling is off; build or load it first`,
      );
    }
    await pull(engine, image);
    return engine.docker.createContainer(options);
  }
}

export function containerType(engine: Engine, settings: { pull: boolean }): ResourceTypeHandler {
  return {
    type: CONTAINER_TYPE,
    description:
      "A container created and started from an image. Changes to anything but restart replace it; restart is updated in place.",
    properties,
    outputs,
    replaceOnChange: ["image", "command", "env", "ports", "mounts", "network", "labels", "healthcheck"],
    secretProperties: ["env"],
    validate,

    async create(props, context) {
      const options = createOptions(props, context);
      const secrets = Object.values(envOf(props)).map(String);
      let container: Docker.Container;
      try {
        container = await createWithPull(engine, options, settings.pull);
      } catch (error) {
        throw dockerError(engine, error, `creating container ${options.name}`, secrets);
      }
      try {
        await container.start();
        const info = await container.inspect();
        return { id: info.Id, outputs: containerOutputs(info) };
      } catch (error) {
        // A container that cannot start is removed, so a failed create leaves nothing behind.
        await container.remove({ force: true }).catch(() => {});
        throw dockerError(engine, error, `starting container ${options.name}`, secrets);
      }
    },

    async read(id) {
      return readOrNull(engine, `reading container ${id}`, async () => {
        const described = describeContainer(await engine.docker.getContainer(id).inspect());
        return { properties: described.properties, outputs: described.outputs };
      });
    },

    async update(id, props) {
      const container = engine.docker.getContainer(id);
      return engineCall(engine, `updating container ${id}`, async () => {
        await container.update({ RestartPolicy: restartPolicy(props.restart) });
        return containerOutputs(await container.inspect());
      });
    },

    async delete(id) {
      await engineCall(engine, `removing container ${id}`, () =>
        engine.docker.getContainer(id).remove({ force: true }),
      );
    },
  };
}
