import type { z } from "zod";
import { type Envelope, EnvelopeSchema, TOOL_DATA, type ToolData, type ToolName } from "../protocol/index.ts";

/** What an MCP tool call returns, as far as the envelope is concerned. */
export interface ToolResultLike {
  structuredContent?: unknown;
  content?: unknown;
  isError?: unknown;
}

/** The answer is not an iac.mcp/v1 envelope; `message` says what was wrong with it. */
export class NotAnEnvelope {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/**
 * Reads the iac.mcp/v1 envelope out of a tool result (structuredContent, else JSON text content)
 * and checks `data` against the tool's schema when the call succeeded.
 */
export function readEnvelope<T extends ToolName>(
  tool: T,
  answer: object,
): Envelope<ToolData<T>> | NotAnEnvelope {
  const result = answer as ToolResultLike;
  const text = firstText(result.content);
  const candidate = result.structuredContent ?? parseJson(text);
  const parsed = EnvelopeSchema.safeParse(candidate);
  if (!parsed.success) {
    if (result.isError && text !== undefined) {
      return new NotAnEnvelope(`it reported an error outside the envelope: ${clip(text)}`);
    }
    const shown = text !== undefined ? clip(text) : clip(JSON.stringify(candidate) ?? String(candidate));
    return new NotAnEnvelope(
      `the answer is not an iac.mcp/v1 envelope (${firstIssue(parsed.error)}): ${shown}`,
    );
  }
  const envelope = parsed.data;
  if (!envelope.success) {
    if (!envelope.error) return new NotAnEnvelope("the envelope says success: false but carries no error");
    return { success: false, error: envelope.error, metadata: envelope.metadata };
  }
  const data = (TOOL_DATA[tool] as z.ZodType).safeParse(envelope.data);
  if (!data.success) {
    return new NotAnEnvelope(`its ${tool} data does not follow iac.mcp/v1 (${firstIssue(data.error)})`);
  }
  return { success: true, data: data.data as ToolData<T>, metadata: envelope.metadata };
}

function firstText(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  for (const item of content) {
    if (item && typeof item === "object" && (item as { type?: unknown }).type === "text") {
      const text = (item as { text?: unknown }).text;
      if (typeof text === "string") return text;
    }
  }
  return undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
