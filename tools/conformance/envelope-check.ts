import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  deepEqual,
  type Envelope,
  EnvelopeSchema,
  TOOL_DATA,
  type ToolData,
  type ToolName,
} from "../protocol/index.ts";
import { ConformanceFailure } from "./failure.ts";

function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** Where a checked answer's problems go: fatal ones throw, flaws only fail the calling check. */
interface Problems {
  violation(tool: string, message: string): never;
  flaw(tool: string, message: string): void;
}

/** The envelope of one answer, its shape checked: structuredContent, the same JSON as text, isError, data. */
function checkAnswer<T extends ToolName>(
  tool: T,
  result: Awaited<ReturnType<Client["callTool"]>>,
  { violation, flaw }: Problems,
): Envelope<ToolData<T>> {
  const structured = result.structuredContent;
  if (!structured || typeof structured !== "object") {
    const text = Array.isArray(result.content)
      ? (result.content[0] as { text?: string } | undefined)?.text
      : undefined;
    violation(tool, `no structuredContent in the answer${text ? ` (text: ${text.slice(0, 200)})` : ""}`);
  }
  const parsed = EnvelopeSchema.safeParse(structured);
  if (!parsed.success)
    violation(tool, `structuredContent is not an iac.mcp/v1 envelope (${firstIssue(parsed.error)})`);
  const texts = (Array.isArray(result.content) ? result.content : []).filter(
    (item): item is { type: "text"; text: string } => (item as { type?: string }).type === "text",
  );
  const sameJson = texts.some((item) => {
    try {
      return deepEqual(JSON.parse(item.text), structured);
    } catch {
      return false;
    }
  });
  if (!sameJson) flaw(tool, "no text content holds the same JSON as structuredContent");
  const envelope = parsed.data as Envelope<ToolData<T>>;
  if (Boolean(result.isError) !== !envelope.success) {
    flaw(tool, `isError is ${Boolean(result.isError)} but success is ${envelope.success}`);
  }
  if (envelope.success) {
    const data = TOOL_DATA[tool].safeParse(envelope.data);
    if (!data.success) violation(tool, `data does not match the ${tool} schema (${firstIssue(data.error)})`);
    if (envelope.error) flaw(tool, "a successful answer carries an error");
  } else if (!envelope.error) {
    flaw(tool, "a failed answer carries no error");
  }
  return envelope;
}

/**
 * Calls one iac.mcp/v1 tool and checks the answer's shape: structuredContent holding a valid envelope,
 * the same JSON as text content, isError consistent with success, data valid for the tool. Every
 * violation is remembered (for the summary check) and thrown.
 */
export function createEnvelopeCaller(client: Client, options: { timeoutMs: number }) {
  const violations: string[] = [];
  let answers = 0;
  const problems: Problems = {
    /** A broken answer we cannot read on from: remembered and thrown. */
    violation(tool, message) {
      const text = `${tool}: ${message}`;
      violations.push(text);
      throw new ConformanceFailure(text);
    },
    /**
     * A flaw that leaves the envelope readable (text or isError out of step): remembered, and the
     * calling check fails, but the suite reads on so that what was created still gets destroyed.
     */
    flaw(tool, message) {
      violations.push(`${tool}: ${message}`);
    },
  };

  async function call<T extends ToolName>(
    tool: T,
    args: Record<string, unknown>,
  ): Promise<Envelope<ToolData<T>>> {
    let result: Awaited<ReturnType<Client["callTool"]>>;
    try {
      result = await client.callTool({ name: tool, arguments: args }, undefined, {
        timeout: options.timeoutMs,
      });
    } catch (error) {
      throw new ConformanceFailure(
        `${tool} did not answer: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    answers++;
    return checkAnswer(tool, result, problems);
  }

  /** Calls a tool and insists on success, returning its data. */
  async function expectData<T extends ToolName>(
    tool: T,
    args: Record<string, unknown>,
  ): Promise<ToolData<T>> {
    const envelope = await call(tool, args);
    if (!envelope.success) {
      throw new ConformanceFailure(
        `${tool} failed: ${envelope.error?.code} ${envelope.error?.message ?? ""}`.trim(),
      );
    }
    return envelope.data as ToolData<T>;
  }

  return { call, expectData, violations, answers: () => answers };
}

export type EnvelopeCaller = ReturnType<typeof createEnvelopeCaller>;
