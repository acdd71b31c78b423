import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import {
  isUnknown,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
  sameSecretAware,
} from "../../protocol/index.ts";
import { dockerError } from "./docker-errors.ts";
import type { Engine } from "./engine.ts";
import { isOurs, type Labels, ownLabels, recordedSpec } from "./labels.ts";
import { readOrNull } from "./named-object.ts";

export const IMAGE_TYPE = "docker:image:build";
/** A digest of the build context's files at build time, so a refreshed plan sees edited sources. */
const LABEL_CONTEXT_DIGEST = "mcp-iac.context-digest";

const properties = {
  type: "object",
  additionalProperties: false,
  // One of context or dockerfileInline is required; validate() says so in words a schema cannot.
  properties: {
    context: {
      type: "string",
      minLength: 1,
      description: "Build context folder, relative to the working folder. Give this or dockerfileInline.",
    },
    dockerfile: {
      type: "string",
      minLength: 1,
      description: "Dockerfile path inside the context (default Dockerfile).",
    },
    dockerfileInline: {
      type: "string",
      minLength: 1,
      description:
        "Dockerfile text, instead of a context folder: the build context then holds only this Dockerfile.",
    },
    tags: { type: "array", items: { type: "string", pattern: "^[a-z0-9][a-z0-9._/:-]*$" } },
    buildArgs: { type: "object", additionalProperties: { type: "string" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
  // Self-contained (no folder, no pull), so the conformance kit can build them anywhere.
  examples: [
    {
      dockerfileInline: "FROM scratch\nLABEL org.opencontainers.image.title=example",
      tags: ["mcp-iac-example:1"],
    },
    {
      dockerfileInline: "FROM scratch\nLABEL org.opencontainers.image.title=example-2",
      tags: ["mcp-iac-example:1"],
    },
  ],
};

const outputs = {
  type: "object",
  properties: {
    id: { type: "string", description: "The image id, sha256:…" },
    tags: { type: "array", items: { type: "string" } },
  },
};

/** `web` and `web:latest` name the same tag. */
export function normalizeTag(tag: string): string {
  const lastSegment = tag.slice(tag.lastIndexOf("/") + 1);
  return lastSegment.includes(":") || tag.includes("@") ? tag : `${tag}:latest`;
}

/** sha256 over every file's relative path, mode and content (or link target), in a stable order. */
export async function contextDigest(dir: string): Promise<string> {
  const hash = createHash("sha256");
  async function walk(relative: string): Promise<void> {
    const entries = await readdir(join(dir, relative), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      const absolute = join(dir, path);
      if (entry.isDirectory()) {
        hash.update(`d ${path}\n`);
        await walk(path);
      } else if (entry.isSymbolicLink()) {
        hash.update(`l ${path} ${await readlink(absolute)}\n`);
      } else if (entry.isFile()) {
        hash.update(`f ${path} ${(statSync(absolute).mode & 0o111) !== 0 ? "x" : "-"}\n`);
        hash.update(await readFile(absolute));
      }
    }
  }
  await walk("");
  return `sha256:${hash.digest("hex")}`;
}

type Issue = { path: string; message: string; severity: "error" };

/** Where the Dockerfile comes from, as error messages name it. */
function sourceOf(props: PropertyMap): string {
  return props.dockerfileInline !== undefined ? "an inline Dockerfile" : String(props.context);
}

function validate(props: PropertyMap): Issue[] {
  const hasContext = props.context !== undefined;
  if (props.dockerfileInline !== undefined) {
    const issues: Issue[] = [];
    if (hasContext) {
      issues.push({
        path: "properties.context",
        message:
          "give either context or dockerfileInline, not both; drop context to build from the inline text",
        severity: "error",
      });
    }
    if (props.dockerfile !== undefined) {
      issues.push({
        path: "properties.dockerfile",
        message: "dockerfile names a file inside context; with dockerfileInline leave it out",
        severity: "error",
      });
    }
    return issues;
  }
  if (!hasContext) {
    return [
      {
        path: "properties.context",
        message:
          "an image needs a build context folder (context) or Dockerfile text (dockerfileInline); give one of them",
        severity: "error",
      },
    ];
  }
  if (typeof props.context !== "string" || isUnknown(props.dockerfile)) return [];
  const context = resolve(props.context);
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    return [
      {
        path: "properties.context",
        message: `build context ${props.context} is not a folder (resolved against ${process.cwd()}); create it or fix the path`,
        severity: "error",
      },
    ];
  }
  const dockerfile = typeof props.dockerfile === "string" ? props.dockerfile : "Dockerfile";
  if (!existsSync(join(context, dockerfile))) {
    return [
      {
        path: "properties.dockerfile",
        message: `${dockerfile} does not exist in ${props.context}`,
        severity: "error",
      },
    ];
  }
  return [];
}

interface BuildEvent {
  stream?: string;
  error?: string;
  aux?: { ID?: string };
}

async function followBuild(engine: Engine, stream: NodeJS.ReadableStream): Promise<BuildEvent[]> {
  return new Promise((resolvePromise, reject) => {
    engine.docker.modem.followProgress(stream, (error: Error | null, events: BuildEvent[]) => {
      if (error) reject(error);
      else resolvePromise(events);
    });
  });
}

/** Runs work with the build context folder: the spec's, or a temporary one holding the inline Dockerfile. */
async function withContext<T>(props: PropertyMap, work: (context: string) => Promise<T>): Promise<T> {
  if (typeof props.dockerfileInline !== "string") return work(resolve(String(props.context)));
  const dir = await mkdtemp(join(tmpdir(), "mcp-iac-inline-build-"));
  try {
    await writeFile(join(dir, "Dockerfile"), props.dockerfileInline);
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function build(engine: Engine, props: PropertyMap, labels: Labels): Promise<string> {
  return withContext(props, (context) => buildIn(engine, context, props, labels));
}

async function buildIn(engine: Engine, context: string, props: PropertyMap, labels: Labels): Promise<string> {
  const tags = ((props.tags as string[] | undefined) ?? []).map(normalizeTag);
  const options: Docker.ImageBuildOptions = {
    dockerfile: typeof props.dockerfile === "string" ? props.dockerfile : "Dockerfile",
    labels,
    rm: true,
    forcerm: true,
  };
  if (tags[0]) options.t = tags[0];
  if (props.buildArgs) options.buildargs = props.buildArgs as Record<string, string>;
  // dockerode packs `src` (top-level entries, walked recursively) from `context` with its own tar-fs.
  const src = await readdir(context);
  const stream = await engine.docker.buildImage({ context, src }, options);
  const events = await followBuild(engine, stream);
  const failure = events.find((event) => event.error);
  if (failure) {
    throw new ProviderError(
      "VALIDATION_FAILED",
      `building ${sourceOf(props)} failed: ${String(failure.error).trim()}`,
    );
  }
  let id = events.find((event) => event.aux?.ID)?.aux?.ID;
  if (!id) {
    const built = [...events].reverse().find((event) => /^Successfully built /.test(event.stream ?? ""));
    const short = built?.stream?.replace("Successfully built ", "").trim();
    if (!short) throw new ProviderError("INTERNAL", `building ${sourceOf(props)} reported no image id`);
    id = (await engine.docker.getImage(short).inspect()).Id;
  }
  for (const extra of tags.slice(1)) {
    const at = extra.lastIndexOf(":");
    await engine.docker.getImage(id).tag({ repo: extra.slice(0, at), tag: extra.slice(at + 1) });
  }
  return id;
}

export function imageType(engine: Engine): ResourceTypeHandler {
  async function inspect(id: string): Promise<Docker.ImageInspectInfo | null> {
    return readOrNull(engine, `reading image ${id}`, () => engine.docker.getImage(id).inspect());
  }

  return {
    type: IMAGE_TYPE,
    description:
      "An image built from a local context folder or inline Dockerfile text (no registry involved). Images are immutable: any change rebuilds it.",
    properties,
    outputs,
    replaceOnChange: ["context", "dockerfile", "dockerfileInline", "tags", "buildArgs", "labels"],
    validate,

    async create(props, context) {
      const labels: Labels = {
        ...((props.labels as Labels | undefined) ?? {}),
        ...ownLabels(context, IMAGE_TYPE, props),
      };
      // Inline text is in the spec label already; only a folder can change under the image.
      if (typeof props.context === "string")
        labels[LABEL_CONTEXT_DIGEST] = await contextDigest(resolve(props.context));
      try {
        const id = await build(engine, props, labels);
        const info = await engine.docker.getImage(id).inspect();
        return { id, outputs: { id, tags: info.RepoTags ?? [] } };
      } catch (error) {
        throw dockerError(engine, error, `building image from ${sourceOf(props)}`);
      }
    },

    async read(id) {
      const info = await inspect(id);
      if (!info) return null;
      const labels = info.Config?.Labels ?? {};
      const recorded = isOurs(labels, IMAGE_TYPE) ? recordedSpec(labels) : undefined;
      const liveTags = info.RepoTags ?? [];
      const outputs = { id: info.Id, tags: liveTags };
      if (!recorded) return { properties: { tags: liveTags }, outputs };
      const props: PropertyMap = { ...recorded };
      const wanted = ((recorded.tags as string[] | undefined) ?? []).map(normalizeTag).sort();
      if (recorded.tags !== undefined && !sameSecretAware(wanted, [...liveTags].sort()))
        props.tags = liveTags;
      // An edited context means the image no longer matches its sources: show it as a changed context.
      const folder = typeof recorded.context === "string" ? resolve(recorded.context) : undefined;
      if (folder && existsSync(folder) && (await contextDigest(folder)) !== labels[LABEL_CONTEXT_DIGEST]) {
        props.context = `${recorded.context} (changed since the image was built)`;
      }
      return { properties: props, outputs };
    },

    async delete(id) {
      const info = await inspect(id);
      if (!info) throw new ProviderError("NOT_FOUND", `image ${id} does not exist`);
      const labels = info.Config?.Labels ?? {};
      if (!isOurs(labels, IMAGE_TYPE)) {
        throw new ProviderError(
          "FORBIDDEN",
          `image ${id} is not labelled as built by mcp-iac; not removing it`,
        );
      }
      const ourTags = new Set(((recordedSpec(labels)?.tags as string[] | undefined) ?? []).map(normalizeTag));
      try {
        for (const tag of info.RepoTags ?? [])
          if (ourTags.has(tag)) await engine.docker.getImage(tag).remove();
        const after = await inspect(id);
        if (after && (after.RepoTags ?? []).length === 0) await engine.docker.getImage(id).remove();
      } catch (error) {
        const failure = dockerError(engine, error, `removing image ${id}`);
        if (failure.code === "CONFLICT") {
          throw new ProviderError("CONFLICT", `${failure.message}; remove the containers that use it first`);
        }
        throw failure;
      }
    },
  };
}
