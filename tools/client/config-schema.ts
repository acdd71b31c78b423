/** The providers part of the config file: one server entry (stdio, HTTP or built-in), checked here. */
import { z } from "zod";

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

export type StdioServerEntry = z.output<typeof StdioEntrySchema>;
export type HttpServerEntry = z.output<typeof HttpEntrySchema>;
export type BuiltinServerEntry = z.output<typeof BuiltinEntrySchema>;

/** A normalized server entry: args and env values are text. */
export type ServerEntry =
  | (Omit<StdioServerEntry, "args" | "env"> & { args?: string[]; env?: Record<string, string> })
  | HttpServerEntry
  | (Omit<BuiltinServerEntry, "args" | "env"> & { args?: string[]; env?: Record<string, string> });

export type ServerKind = "stdio" | "http" | "builtin";

export function serverKind(entry: ServerEntry): ServerKind {
  if ("url" in entry) return "http";
  if ("builtin" in entry) return "builtin";
  return "stdio";
}

export function isHttpUrl(value: string): boolean {
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
