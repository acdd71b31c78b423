import type { Blueprint } from "../blueprint.ts";
import { assumed, type Composition, slug } from "../composition.ts";
import { imageDefaultPort } from "../vocabulary.ts";

export const MAX_CONTAINERS = 20;

/** The short name of an image reference: `ghcr.io/acme/shop:1.2` → `shop`. */
export function imageBase(image: string): string {
  return image.split("@")[0]!.split(":")[0]!.split("/").at(-1) ?? image;
}

export function severalImages(images: readonly string[]): string {
  return `the goal names several images (${images.join(", ")}); one plan runs one image, so ask for each separately`;
}

function addBuild(composition: Composition, tagFromGoal: string | undefined): string {
  const { goal } = composition;
  const tag = tagFromGoal ?? `${composition.deploymentName}:latest`;
  const context = goal.buildContext ?? "./app";
  const properties: Record<string, unknown> = { context, tags: [tag] };
  if (goal.dockerfile) properties["dockerfile"] = goal.dockerfile;
  const name = composition.add({ type: "docker:image:build", name: "app-image", properties });
  composition.links.builtImage = tag;
  composition.links.buildResource = name;
  composition.set("build", true);
  composition.set("buildContext", context);
  composition.set("imageTag", tag);
  assumed(composition, "container-service", goal.buildContext ? [] : ["build context ./app"]);
  return tag;
}

/** Docker: build an image from ./app and/or run N containers of an image, ports published. */
export const containerService: Blueprint = {
  id: "container-service",
  description: "Docker: build an image from ./app and/or run N containers of an image with ports and env",
  keywords: ["docker", "container", "image", "build", "replicas"],
  build(composition, intent) {
    const { goal } = composition;
    if (goal.images.length > 1) return { missing: severalImages(goal.images) };
    const built = intent.build ? addBuild(composition, intent.image) : undefined;
    if (intent.platform === "kubernetes") {
      // Kubernetes runs what was built; Docker only builds it.
      return { phrase: `an image ${built} built from ${goal.buildContext ?? "./app"}` };
    }
    const image = built ?? intent.image;
    if (!image) {
      return {
        missing:
          "running containers needs an image, e.g. 'run 3 nginx:1.27 containers', or say 'build' to build ./app",
      };
    }
    const defaults: string[] = [];
    const replicas = goal.count ?? 1;
    if (goal.count === undefined) defaults.push("1 container");
    if (replicas < 1) return { missing: `running containers needs at least one, not ${replicas}` };
    if (replicas > MAX_CONTAINERS) {
      return { missing: `${replicas} containers is more than the ${MAX_CONTAINERS} this blueprint runs` };
    }
    const hostNetwork = /\bhost\s+network\w*\b|\bnetwork\s*[:=]?\s*host\b/.test(goal.words);
    const known = imageDefaultPort(image);
    const named = goal.ports[0]?.port;
    const containerPort = known ?? named;
    let hostPort: number | undefined;
    if (!hostNetwork && containerPort !== undefined) {
      hostPort = named ?? (containerPort >= 1024 ? containerPort : 8080);
      if (named === undefined) defaults.push(`host port ${hostPort}`);
      if (hostPort + replicas - 1 > 65535) {
        return {
          missing: `${replicas} containers need host ports ${hostPort}-${hostPort + replicas - 1}, past 65535`,
        };
      }
    }
    if (!hostNetwork && containerPort === undefined)
      composition.note("no port named: the containers publish none");
    if (hostNetwork && named !== undefined)
      composition.note("host networking: the containers listen on the host directly, nothing is published");
    const env = goal.env;
    addContainers(composition, { image, built, replicas, hostNetwork, hostPort, containerPort });
    composition.set("image", image);
    composition.set("replicas", replicas);
    if (containerPort !== undefined) composition.set("containerPort", containerPort);
    if (hostPort !== undefined) composition.set("hostPort", hostPort);
    if (hostNetwork) composition.set("network", "host");
    // Values may be secrets: only the keys are repeated.
    if (Object.keys(env).length > 0) composition.set("env", Object.keys(env).join(","));
    assumed(composition, "container-service", defaults);
    const ports =
      hostPort === undefined
        ? ""
        : replicas === 1
          ? `, port ${hostPort}→${containerPort}`
          : `, ports ${hostPort}-${hostPort + replicas - 1}→${containerPort}`;
    const what = `${replicas} ${image} container${replicas === 1 ? "" : "s"}${ports}`;
    return {
      phrase: built ? `an image ${built} built from ${goal.buildContext ?? "./app"}, run as ${what}` : what,
    };
  },
};

interface Containers {
  image: string;
  /** The tag when this plan builds the image. */
  built: string | undefined;
  replicas: number;
  hostNetwork: boolean;
  hostPort: number | undefined;
  containerPort: number | undefined;
}

/** One `docker:container:run` per replica, each on the next host port. */
function addContainers(composition: Composition, containers: Containers): void {
  const { image, built, replicas, hostNetwork, hostPort, containerPort } = containers;
  const base = slug(imageBase(image), "app");
  const env = composition.goal.env;
  for (let index = 0; index < replicas; index++) {
    // A built image is referenced by id, so containers follow a rebuilt one (replaced with it).
    const build = composition.links.buildResource;
    const properties: Record<string, unknown> = {
      image: built && build ? `\${${build}.id}` : image,
      restart: "unless-stopped",
    };
    if (hostNetwork) properties["network"] = "host";
    if (hostPort !== undefined && containerPort !== undefined) {
      properties["ports"] = [`${hostPort + index}:${containerPort}`];
    }
    if (Object.keys(env).length > 0) properties["env"] = { ...env };
    const resource = {
      type: "docker:container:run",
      name: replicas === 1 ? base : `${base}-${index + 1}`,
      properties,
      ...(composition.links.buildResource ? { dependsOn: [composition.links.buildResource] } : {}),
    };
    composition.add(resource);
  }
}
