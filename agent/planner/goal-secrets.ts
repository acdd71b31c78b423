import type { ProviderGateway } from "../engine/gateway.ts";
import type { Workspace } from "../operations.ts";
import type { SecretScrubber } from "../secrets.ts";

/**
 * Secrets typed in a goal ("… with admin password hunter2-xyz", "POSTGRES_PASSWORD=…") are taken
 * out before anything reads the goal: each value becomes a placeholder such as
 * `{{secret_admin_password}}`, which is all a planner (model, offline or memory) sees and all the
 * spec, state, memory and events ever hold. Only on the way to a provider is the placeholder
 * replaced by the value, and a provider's answers carry the placeholder back, so plans compare
 * like with like and the value never rests anywhere but on the platform itself.
 */

export interface GoalSecret {
  placeholder: string;
  value: string;
}

const WORD = String.raw`(?:password|passphrase|passwd|pwd|secret|token|api[\s_-]?key|access[\s_-]?key|secret[\s_-]?key|private[\s_-]?key)`;
/** Words before a secret's keyword that say whose it is: they go into the placeholder's name. */
const OWNERS = new Set([
  "admin",
  "root",
  "db",
  "database",
  "user",
  "master",
  "app",
  "api",
  "postgres",
  "mysql",
]);
/** Words that follow a keyword without being its value ("a password for the db", "secret named x"). */
const NOT_VALUES = new Set([
  "for",
  "the",
  "with",
  "and",
  "that",
  "which",
  "named",
  "called",
  "stored",
  "from",
  "into",
  "in",
  "of",
  "is",
  "to",
  "set",
  "generated",
  "random",
  "strong",
  "rotation",
  "manager",
  "store",
  "authentication",
  "protected",
  "policy",
  "required",
  "access",
  "based",
  "login",
  "reset",
  "vault",
]);
const KEY_NAME = /(?:pass(?:word|wd|phrase)?|pwd|secret|token|api_?key|access_?key|private_?key|credential)/i;

// `NAME=value`: a variable whose name says secret.
const ASSIGNMENT = /(?<![\w$])([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s,;]+)/g;
// `[owner] password [is|:|=|of|to] value`.
const PHRASE = new RegExp(
  String.raw`\b(?:(\w+)[\s_-]+)?(${WORD})(?:\s*(?:[:=]|\bis\b|\bof\b|\bto\b|\bas\b))?\s+("[^"]+"|'[^']+'|[^\s,;"']+)`,
  "gi",
);
const PLACEHOLDER = /\{\{secret_[a-z0-9_]+\}\}/g;

function unquote(text: string): string {
  return /^(["']).*\1$/s.test(text) ? text.slice(1, -1) : text;
}

function plausibleValue(value: string): boolean {
  if (value.length < 6 || NOT_VALUES.has(value.toLowerCase())) return false;
  if (/^\{\{secret_/.test(value) || /^\$\{/.test(value)) return false;
  return true;
}

function nameOf(words: string): string {
  return words
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/** The goal with each typed secret replaced by a placeholder, and the values taken out. */
export function extractGoalSecrets(goal: string): { goal: string; secrets: GoalSecret[] } {
  const secrets: GoalSecret[] = [];
  const placeholderFor = (name: string, value: string): string => {
    const known = secrets.find((secret) => secret.value === value);
    if (known) return known.placeholder;
    let placeholder = `{{secret_${name || "value"}}}`;
    for (let n = 2; secrets.some((secret) => secret.placeholder === placeholder); n++)
      placeholder = `{{secret_${name}_${n}}}`;
    secrets.push({ placeholder, value });
    return placeholder;
  };
  let text = goal.replace(ASSIGNMENT, (whole, key: string, raw: string) => {
    const value = unquote(raw);
    if (!KEY_NAME.test(key) || !plausibleValue(value)) return whole;
    return `${key}=${placeholderFor(nameOf(key), value)}`;
  });
  text = text.replace(PHRASE, (whole, owner: string | undefined, word: string, raw: string) => {
    const value = unquote(raw);
    if (!plausibleValue(value)) return whole;
    const whose = owner && OWNERS.has(owner.toLowerCase()) ? `${owner} ` : "";
    const placeholder = placeholderFor(nameOf(`${whose}${word}`), value);
    return whole.slice(0, whole.length - raw.length) + placeholder;
  });
  return { goal: text, secrets };
}

function mapStrings(value: unknown, change: (text: string) => string): unknown {
  if (typeof value === "string") return change(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, change));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = mapStrings(item, change);
    return out;
  }
  return value;
}

/** A gateway that puts the values in on the way to a provider and the placeholders back on the way out. */
export function revealingGateway(gateway: ProviderGateway, secrets: readonly GoalSecret[]): ProviderGateway {
  const byPlaceholder = new Map(secrets.map((secret) => [secret.placeholder, secret.value]));
  const reveal = (text: string) =>
    text.replace(PLACEHOLDER, (placeholder) => byPlaceholder.get(placeholder) ?? placeholder);
  const hide = (text: string) =>
    secrets.reduce((out, secret) => out.split(secret.value).join(secret.placeholder), text);
  return {
    serverFor: (type) => gateway.serverFor(type),
    describe: (server) => gateway.describe(server),
    async call(server, tool, input, options) {
      const envelope = await gateway.call(server, tool, mapStrings(input, reveal) as typeof input, options);
      return mapStrings(envelope, hide) as typeof envelope;
    },
  };
}

/**
 * The run's view of a goal with secrets in it: the goal as planners may see it, the values known
 * to the scrubber (a last line for events and model requests), and a workspace whose gateway alone
 * knows the values. A goal without secrets comes back as it was.
 */
export function withGoalSecrets<
  S extends { workspace: Workspace; scrubber: SecretScrubber },
  R extends { goal: string },
>(services: S, request: R): { services: S; request: R } {
  const { goal, secrets } = extractGoalSecrets(request.goal);
  if (secrets.length === 0) return { services, request };
  for (const secret of secrets) services.scrubber.add(secret.value);
  const workspace = { ...services.workspace, gateway: revealingGateway(services.workspace.gateway, secrets) };
  return { services: { ...services, workspace }, request: { ...request, goal } };
}
