import { z } from "zod";

/** Keys a config file may hold at the top level (design §7); anything else is an error. */
export const TOP_LEVEL_KEYS = [
  "mcpServers",
  "model",
  "policies",
  "state",
  "$schema",
  "policyEnforcement",
] as const;

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int({ error: `${what} must be a whole number` })
    .positive({ error: `${what} must be greater than 0` });

// YAML turns `PORT: 3000` into a number; environment values are text, so numbers and booleans are accepted as text.
const EnvSchema = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean()], {
    error: "an environment value must be text (quote it), a number or true/false",
  }),
  { error: "env must be a map of NAME: value" },
);

const ArgsSchema = z.array(z.union([z.string(), z.number(), z.boolean()]), {
  error: "args must be a list of strings, e.g. [provider, opnsense]",
});

const common = {
  timeoutMs: positiveInt("timeoutMs").optional(),
  /** The longest one call may run while the server keeps reporting progress. */
  maxTotalTimeoutMs: positiveInt("maxTotalTimeoutMs").optional(),
  parallelism: positiveInt("parallelism").optional(),
};

export const StdioEntrySchema = z.strictObject({
  command: z.string({ error: "command must be text" }).min(1, { error: "command must not be empty" }),
  args: ArgsSchema.optional(),
  env: EnvSchema.optional(),
  cwd: z.string({ error: "cwd must be a folder path" }).optional(),
  ...common,
});

export const HttpEntrySchema = z.strictObject({
  url: z.string({ error: "url must be text" }).refine(isHttpUrl, {
    error: "url must be an http:// or https:// address, e.g. http://127.0.0.1:3001/mcp",
  }),
  headers: z
    .record(z.string(), z.string({ error: "a header value must be text" }), {
      error: "headers must be a map of Name: value",
    })
    .optional(),
  ...common,
});

export const BuiltinEntrySchema = z.strictObject({
  builtin: z
    .string({ error: "builtin must name a built-in provider, e.g. docker" })
    .regex(SERVER_NAME, { error: "builtin must name a built-in provider, e.g. docker" }),
  args: ArgsSchema.optional(),
  env: EnvSchema.optional(),
  ...common,
});

const ModelSchema = z.union(
  [
    z.string().min(1),
    z
      .looseObject({
        provider: z
          .enum(["anthropic", "openai", "langchain", "offline"], {
            error: "model.provider must be anthropic, openai, langchain or offline",
          })
          .optional(),
        name: z.string({ error: "model.name must be text" }).optional(),
        baseURL: z
          .string()
          .refine(isHttpUrl, { error: "baseURL must be an http:// or https:// address" })
          .optional(),
        // provider: langchain — any LangChain chat model class, built with `options`.
        package: z
          .string({ error: 'model.package must name an npm package, e.g. "@langchain/anthropic"' })
          .min(1, { error: 'model.package must name an npm package, e.g. "@langchain/anthropic"' })
          .optional(),
        class: z
          .string({ error: "model.class must name the chat model class, e.g. ChatAnthropic" })
          .regex(/^[A-Za-z_$][\w$]*$/, {
            error: "model.class must name the chat model class, e.g. ChatAnthropic",
          })
          .optional(),
        options: z
          .record(z.string(), z.unknown(), {
            error: "model.options must be a map of the class's constructor options, e.g. { model: … }",
          })
          .optional(),
      })
      .refine((model) => model.provider === "langchain" || (model.package ?? model.class) === undefined, {
        error: "model.package and model.class belong to provider: langchain; add it, or remove them",
      }),
  ],
  { error: "model must be { provider, name } or a model name" },
);

const StateSchema = z.strictObject({
  backend: z
    .string({ error: 'backend must be "file" or a postgres:// connection string' })
    .refine((value) => value === "file" || /^postgres(ql)?:\/\/./.test(value), {
      error: 'backend must be "file" or a postgres:// connection string',
    }),
  path: z.string({ error: "path must be a folder or file path" }).optional(),
});

export const TopLevelSchema = z.strictObject({
  $schema: z.string().optional(),
  mcpServers: z
    .record(z.string(), z.unknown(), { error: "mcpServers must be a map of server name to its settings" })
    .refine((servers) => Object.keys(servers).length > 0, {
      error: "mcpServers is empty; add at least one server, or delete the file to use the sandbox",
    }),
  model: ModelSchema.optional(),
  policies: z
    .array(z.string({ error: "a policy is a text reference, e.g. builtin:baseline" }), {
      error: "policies must be a list, e.g. [builtin:baseline, ./policies/ours.yaml]",
    })
    .optional(),
  // Per-rule enforcement from the config only: nothing in a spec or a model answer can change it.
  policyEnforcement: z
    .record(
      z.string().regex(/^[^/\s]+\/[^/\s]+$/),
      z.enum(["advisory", "mandatory", "disabled"], {
        error: "an enforcement is advisory, mandatory or disabled",
      }),
      {
        error: (issue) =>
          issue.code === "invalid_key"
            ? 'a key is a rule id "pack/rule" or a glob "pack/*", e.g. baseline/required-tags'
            : 'policyEnforcement must be a map of "pack/rule" to advisory, mandatory or disabled',
      },
    )
    .optional(),
  state: StateSchema.optional(),
});

export type StdioServerEntry = z.output<typeof StdioEntrySchema>;
export type HttpServerEntry = z.output<typeof HttpEntrySchema>;
export type BuiltinServerEntry = z.output<typeof BuiltinEntrySchema>;

/** A normalized server entry: args and env values are text. */
export type ServerEntry =
  | (Omit<StdioServerEntry, "args" | "env"> & { args?: string[]; env?: Record<string, string> })
  | HttpServerEntry
  | (Omit<BuiltinServerEntry, "args" | "env"> & { args?: string[]; env?: Record<string, string> });

export interface ModelConfig {
  provider?: "anthropic" | "openai" | "langchain" | "offline";
  name?: string;
  baseURL?: string;
  [option: string]: unknown;
}

export interface StateConfig {
  /** `"file"` or a `postgres://` connection string. */
  backend: string;
  path?: string;
}

export interface McpIacConfig {
  mcpServers: Record<string, ServerEntry>;
  model?: ModelConfig;
  policies?: string[];
  /** Enforcement overrides keyed by rule id (`baseline/required-tags`) or glob (`baseline/*`). */
  policyEnforcement?: Record<string, "advisory" | "mandatory" | "disabled">;
  state?: StateConfig;
}

export type ServerKind = "stdio" | "http" | "builtin";

export function serverKind(entry: ServerEntry): ServerKind {
  if ("url" in entry) return "http";
  if ("builtin" in entry) return "builtin";
  return "stdio";
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

export function isValidServerName(name: string): boolean {
  return SERVER_NAME.test(name);
}
