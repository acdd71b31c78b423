/** The config file's schema (design §7) beside the composition root; tools/client checks only `mcpServers`. */
import { z } from "zod";
import { isHttpUrl, type ServerEntry } from "../tools/client/config-schema.ts";

/** Keys a config file may hold at the top level (design §7); anything else is an error. */
export const TOP_LEVEL_KEYS = [
  "mcpServers",
  "model",
  "policies",
  "state",
  "$schema",
  "policyEnforcement",
] as const;

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
  /** Checked by tools/client (the providers part): each entry a stdio, HTTP or built-in server. */
  mcpServers: Record<string, ServerEntry>;
  model?: ModelConfig;
  policies?: string[];
  /** Enforcement overrides keyed by rule id (`baseline/required-tags`) or glob (`baseline/*`). */
  policyEnforcement?: Record<string, "advisory" | "mandatory" | "disabled">;
  state?: StateConfig;
}
