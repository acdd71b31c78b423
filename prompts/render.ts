/**
 * A deliberately small template language: `{{name}}`, `{{a.b}}`, `{{this}}`, and
 * `{{#each list}}…{{else}}…{{/each}}`. It is strict so a renamed variable fails loudly instead of
 * leaving a hole in a prompt: a missing variable, an input nobody uses, a value that is not text, or a
 * stray `{{` all throw. Substituted values are never scanned again, so text from a user or a provider
 * cannot smuggle template syntax in.
 */

export class PromptTemplateError extends Error {
  readonly template: string;

  constructor(template: string, message: string) {
    super(`prompt template ${template}: ${message}`);
    this.name = "PromptTemplateError";
    this.template = template;
  }
}

type Node =
  | { kind: "text"; text: string }
  | { kind: "var"; path: string[]; raw: string }
  | { kind: "each"; path: string[]; raw: string; body: Node[]; otherwise: Node[] };

export interface CompiledTemplate {
  readonly id: string;
  readonly nodes: Node[];
  /** First path segments a render may look up at the top level (used to reject unused inputs). */
  readonly names: ReadonlySet<string>;
}

const TAG = /\{\{\s*(#each\s+[^}]*|else|\/each|[^}#/]*?)\s*\}\}/g;
const PATH = /^(this|[A-Za-z_][A-Za-z0-9_]*)(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function parsePath(id: string, raw: string): string[] {
  if (!PATH.test(raw)) throw new PromptTemplateError(id, `"{{${raw}}}" is not a variable name`);
  return raw.split(".");
}

/** Whether a block tag stands alone on its line; such lines disappear entirely from the output. */
function standaloneBounds(source: string, start: number, end: number): [number, number] | undefined {
  const lineStart = source.lastIndexOf("\n", start - 1) + 1;
  if (source.slice(lineStart, start).trim() !== "") return undefined;
  const newline = source.indexOf("\n", end);
  const lineEnd = newline === -1 ? source.length : newline + 1;
  if (source.slice(end, newline === -1 ? source.length : newline).trim() !== "") return undefined;
  return [lineStart, lineEnd];
}

export function compileTemplate(id: string, source: string): CompiledTemplate {
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { kind: "each" }>; inElse: boolean }> = [];
  const names = new Set<string>();
  const target = (): Node[] => {
    const top = stack.at(-1);
    if (!top) return root;
    return top.inElse ? top.node.otherwise : top.node.body;
  };
  let cursor = 0;
  for (const match of source.matchAll(TAG)) {
    const inner = match[1] ?? "";
    const isBlock = inner.startsWith("#each") || inner === "else" || inner === "/each";
    let start = match.index;
    let end = start + match[0].length;
    const bounds = isBlock ? standaloneBounds(source, start, end) : undefined;
    if (bounds) [start, end] = bounds;
    if (start > cursor) target().push({ kind: "text", text: source.slice(cursor, start) });
    cursor = end;
    if (inner.startsWith("#each")) {
      const raw = inner.slice("#each".length).trim();
      const node: Extract<Node, { kind: "each" }> = {
        kind: "each",
        path: parsePath(id, raw),
        raw,
        body: [],
        otherwise: [],
      };
      names.add(node.path[0]!);
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (inner === "else") {
      const top = stack.at(-1);
      if (!top || top.inElse) throw new PromptTemplateError(id, "{{else}} outside an {{#each}} block");
      top.inElse = true;
    } else if (inner === "/each") {
      if (!stack.pop()) throw new PromptTemplateError(id, "{{/each}} without an {{#each}}");
    } else {
      const path = parsePath(id, inner);
      if (path[0] !== "this") names.add(path[0]!);
      target().push({ kind: "var", path, raw: inner });
    }
  }
  if (stack.length > 0)
    throw new PromptTemplateError(id, `{{#each ${stack.at(-1)!.node.raw}}} is never closed`);
  if (cursor < source.length) root.push({ kind: "text", text: source.slice(cursor) });
  const hasStray = (nodes: Node[]): boolean =>
    nodes.some((node) =>
      node.kind === "text"
        ? node.text.includes("{{")
        : node.kind === "each" && (hasStray(node.body) || hasStray(node.otherwise)),
    );
  if (hasStray(root))
    throw new PromptTemplateError(id, 'a "{{" that is not a tag; templates have no other use for it');
  return { id, nodes: root, names };
}

type Scope = { value: unknown; parent?: Scope };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lookup(id: string, scope: Scope, path: string[], raw: string): unknown {
  const [head, ...rest] = path;
  let value: unknown;
  if (head === "this") {
    value = scope.value;
  } else {
    let found = false;
    for (let at: Scope | undefined = scope; at; at = at.parent) {
      if (isRecord(at.value) && Object.hasOwn(at.value, head!)) {
        value = at.value[head!];
        found = true;
        break;
      }
    }
    if (!found) throw new PromptTemplateError(id, `missing variable "${raw}"`);
  }
  for (const part of rest) {
    if (!isRecord(value) || !Object.hasOwn(value, part)) {
      throw new PromptTemplateError(id, `missing variable "${raw}"`);
    }
    value = value[part];
  }
  if (value === undefined) throw new PromptTemplateError(id, `missing variable "${raw}"`);
  return value;
}

function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function renderNodes(id: string, nodes: Node[], scope: Scope, out: string[]): void {
  for (const node of nodes) {
    if (node.kind === "text") {
      out.push(node.text);
    } else if (node.kind === "var") {
      const value = lookup(id, scope, node.path, node.raw);
      if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
        throw new PromptTemplateError(
          id,
          `"{{${node.raw}}}" is ${describeKind(value)}; only text, numbers and booleans print`,
        );
      }
      out.push(String(value));
    } else {
      const list = lookup(id, scope, node.path, node.raw);
      if (!Array.isArray(list)) throw new PromptTemplateError(id, `"{{#each ${node.raw}}}" needs a list`);
      if (list.length === 0) renderNodes(id, node.otherwise, scope, out);
      for (const item of list) renderNodes(id, node.body, { value: item, parent: scope }, out);
    }
  }
}

/** Renders with every input used and every variable present, or throws naming what is wrong. */
export function renderTemplate(template: CompiledTemplate, input: Record<string, unknown>): string {
  const unused = Object.keys(input).filter((key) => !template.names.has(key));
  if (unused.length > 0) {
    throw new PromptTemplateError(
      template.id,
      `unexpected variable(s) ${unused.map((key) => `"${key}"`).join(", ")}`,
    );
  }
  const out: string[] = [];
  renderNodes(template.id, template.nodes, { value: input }, out);
  return out.join("");
}
