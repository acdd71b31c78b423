import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import { z } from "zod";
import { type Resource, ResourceSchema } from "../../tools/protocol/index.ts";
import { SpecError, type SpecIssue } from "./spec-error.ts";

/** A deployment: a name and its resources, whichever of the two spec shapes it came from. */
export interface Deployment {
  name: string;
  resources: Resource[];
}

const DeploymentNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "a deployment name is lowercase letters, digits and '-', at most 63 characters",
  );

const KubernetesStyleSchema = z
  .object({
    apiVersion: z.literal("iac.mcp/v1", { error: 'apiVersion must be "iac.mcp/v1"' }),
    kind: z.literal("Deployment", { error: 'kind must be "Deployment"' }),
    metadata: z.object({ name: DeploymentNameSchema }).loose(),
    spec: z.object({ resources: z.array(z.unknown()) }).strict(),
  })
  .strict();

const PlainSchema = z.object({ name: DeploymentNameSchema, resources: z.array(z.unknown()) }).strict();

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === "number" ? `[${part}]` : `${index === 0 ? "" : "."}${String(part)}`,
    )
    .join("");
}

function zodIssues(error: z.ZodError, prefix: string, resource?: string): SpecIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const out: SpecIssue = {
      path: [prefix, path].filter(Boolean).join(prefix && path && !path.startsWith("[") ? "." : ""),
      message: issue.message,
    };
    if (resource) out.resource = resource;
    return out;
  });
}

/** Checks an already-parsed document (YAML or JSON) and returns the deployment it describes. */
export function deploymentFromObject(document: unknown, source: string): Deployment {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new SpecError(source, [
      {
        path: "",
        message: "expected a mapping with apiVersion/kind/metadata/spec, or with name and resources",
      },
    ]);
  }
  const looksKubernetes = "apiVersion" in document || "kind" in document || "spec" in document;
  let name: string;
  let rawResources: unknown[];
  if (looksKubernetes) {
    const parsed = KubernetesStyleSchema.safeParse(document);
    if (!parsed.success) throw new SpecError(source, zodIssues(parsed.error, ""));
    name = parsed.data.metadata.name;
    rawResources = parsed.data.spec.resources;
  } else {
    const parsed = PlainSchema.safeParse(document);
    if (!parsed.success) throw new SpecError(source, zodIssues(parsed.error, ""));
    name = parsed.data.name;
    rawResources = parsed.data.resources;
  }
  const issues: SpecIssue[] = [];
  const resources: Resource[] = [];
  const seen = new Map<string, number>();
  rawResources.forEach((raw, index) => {
    const label =
      typeof raw === "object" && raw !== null && typeof (raw as { name?: unknown }).name === "string"
        ? (raw as { name: string }).name
        : undefined;
    const parsed = ResourceSchema.strict().safeParse(raw);
    if (!parsed.success) {
      issues.push(...zodIssues(parsed.error, `resources[${index}]`, label));
      return;
    }
    const previous = seen.get(parsed.data.name);
    if (previous !== undefined) {
      issues.push({
        resource: parsed.data.name,
        path: `resources[${index}].name`,
        message: `the name is already used by resources[${previous}]; names are unique in a deployment`,
      });
      return;
    }
    seen.set(parsed.data.name, index);
    resources.push(parsed.data);
  });
  if (issues.length > 0) throw new SpecError(source, issues);
  return { name, resources };
}

/** Parses spec text (YAML, of which JSON is a subset); syntax errors name the line and column. */
export function parseSpec(text: string, source = "spec"): Deployment {
  const depth = flowDepth(text, MAX_DEPTH);
  if (depth !== undefined) {
    throw new SpecError(source, [
      { path: `offset ${depth}`, message: `nested more than ${MAX_DEPTH} levels deep; a spec needs a few` },
    ]);
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new SpecError(
      source,
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          path: position ? `line ${position.line}, column ${position.col}` : "",
          message: error.message.split("\n")[0] ?? error.message,
        };
      }),
    );
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved aliases and alias bombs surface only when the document is turned into values.
    throw new SpecError(source, [
      { path: "", message: error instanceof Error ? error.message : String(error) },
    ]);
  }
  return deploymentFromObject(value, source);
}

const MAX_DEPTH = 256;

/**
 * Where brackets ([ {) outside quotes first nest deeper than `limit`, or undefined. Deep nesting
 * would exhaust the parser's stack; only flow style can nest that deep in a file of sane size.
 */
function flowDepth(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote = "";
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === "\\" && quote === '"') index++;
      else if (char === quote) quote = "";
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === "[" || char === "{") {
      if (++depth > limit) return index;
    } else if (char === "]" || char === "}") depth = Math.max(0, depth - 1);
  }
  return undefined;
}

export async function loadSpecFile(file: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpecError(file, [
      {
        path: "",
        message: code === "ENOENT" ? "no such file; check the path given to -f" : `cannot read it (${code})`,
      },
    ]);
  }
  return parseSpec(text, file);
}
