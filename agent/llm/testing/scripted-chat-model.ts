import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type AIMessageFields, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** What the scripted model answers: AIMessage fields, or a function of what it was sent (may throw). */
export type ScriptedChatTurn =
  | AIMessageFields
  | ((messages: BaseMessage[], index: number) => AIMessageFields);

export interface ScriptedChatCall {
  /** The messages as LangChain serialised them: type, content, tool calls, tool_call_id. */
  messages: {
    type: string;
    content: unknown;
    tool_calls?: unknown;
    tool_call_id?: string;
    status?: string;
  }[];
  /** The tool definitions bound for this call. */
  tools: unknown[];
}

interface ScriptedCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
}

/**
 * A real `BaseChatModel` subclass, as an integration is written: `bindTools` binds the tools as call
 * options, `_generate` answers with an AIMessage. It serves a script and records every call.
 */
export class ScriptedChatModel extends BaseChatModel<ScriptedCallOptions> {
  readonly calls: ScriptedChatCall[] = [];
  /** How many times bindTools was called: once per distinct tool set keeps the prompt prefix stable. */
  bindCount = 0;
  readonly #script: ScriptedChatTurn[];

  constructor(script: ScriptedChatTurn[], fields: BaseChatModelParams = {}) {
    super(fields);
    this.#script = script;
  }

  _llmType(): string {
    return "scripted";
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ScriptedCallOptions>) {
    this.bindCount += 1;
    return this.withConfig({ tools, ...kwargs });
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const index = this.calls.length;
    this.calls.push({
      messages: messages.map((message) => ({
        type: message.type,
        content: structuredClone(message.content),
        ...("tool_calls" in message ? { tool_calls: structuredClone(message.tool_calls) } : {}),
        ...("tool_call_id" in message ? { tool_call_id: message.tool_call_id as string } : {}),
        ...("status" in message && message.status ? { status: message.status as string } : {}),
      })),
      tools: structuredClone(options.tools ?? []),
    });
    const turn = this.#script[index];
    if (turn === undefined) {
      throw new Error(
        `scripted chat model: the script has ${this.#script.length} turns and turn ${index + 1} was asked for`,
      );
    }
    const fields = typeof turn === "function" ? turn(messages, index) : turn;
    const message = new AIMessage(fields);
    return { generations: [{ text: typeof message.content === "string" ? message.content : "", message }] };
  }
}

/** A chat model class as some integrations are: it answers, but has no bindTools. */
export class TextOnlyChatModel extends BaseChatModel {
  _llmType(): string {
    return "text-only";
  }

  async _generate(): Promise<ChatResult> {
    const message = new AIMessage("I cannot call tools.");
    return { generations: [{ text: "I cannot call tools.", message }] };
  }
}
