import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { type CompiledTemplate, compileTemplate, PromptTemplateError } from "./render.ts";

const FRONT_MATTER = /^---\n([\s\S]*?)\n---\n/;
const cache = new Map<string, CompiledTemplate>();

/** The template file's id, e.g. `planner-system.v1`: what events and eval records cite. */
export function templateId(name: string, version: number): string {
  return `${name}.v${version}`;
}

/**
 * Reads `templates/<name>.v<version>.md` once. The front matter must name the same prompt and version
 * as the file name, so a copied file that was not renumbered fails at once.
 */
export function loadTemplate(name: string, version: number): CompiledTemplate {
  const id = templateId(name, version);
  const cached = cache.get(id);
  if (cached) return cached;
  const text = readFileSync(new URL(`./templates/${id}.md`, import.meta.url), "utf8").replace(/\r\n/g, "\n");
  const match = FRONT_MATTER.exec(text);
  if (!match) throw new PromptTemplateError(id, "the file must start with --- front matter ---");
  const meta: unknown = parse(match[1] ?? "");
  const { prompt, version: declared } = (meta ?? {}) as { prompt?: unknown; version?: unknown };
  if (prompt !== name || declared !== version) {
    throw new PromptTemplateError(
      id,
      `front matter says prompt ${String(prompt)} version ${String(declared)}; the file name says ${name} version ${version}`,
    );
  }
  // Formatters put blank lines around front matter; they are not part of the prompt.
  const compiled = compileTemplate(id, text.slice(match[0].length).replace(/^\n+/, "").trimEnd());
  cache.set(id, compiled);
  return compiled;
}
