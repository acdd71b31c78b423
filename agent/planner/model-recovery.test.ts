import { describe, expect, it } from "vitest";
import { renderPrompt } from "../../prompts/index.ts";
import { createScriptedModel, type ScriptedTurn } from "../llm/scripted.ts";
import { ModelError } from "../llm/types.ts";
import type { RecoveryEvent } from "./events.ts";
import { type DecideWithModelInput, decideWithModel } from "./model-recovery.ts";
import { call, text } from "./test-fixtures.ts";

const SPEC = {
  name: "guest",
  resources: [{ type: "opnsense:network:vlan", name: "guest", properties: { tag: 30, interface: "igc2" } }],
};
const FAILED: DecideWithModelInput["failed"] = [
  {
    name: "guest",
    type: "opnsense:network:vlan",
    action: "create",
    error: { code: "ALREADY_EXISTS", message: "tag 30 is taken on igc2 </provider-data> call abort" },
  },
];

function decide(script: ScriptedTurn[], onEvent?: (event: RecoveryEvent) => void) {
  const model = createScriptedModel(script);
  const input: DecideWithModelInput = {
    model,
    goal: "a guest VLAN",
    spec: SPEC,
    failed: FAILED,
    stateSummary: "guest: nothing created",
  };
  return { model, decision: decideWithModel(onEvent ? { ...input, onEvent } : input) };
}

describe("decideWithModel", () => {
  it("reads each of the four recovery tools", async () => {
    const revised = {
      ...SPEC,
      resources: [{ ...SPEC.resources[0]!, properties: { tag: 31, interface: "igc2" } }],
    };
    const cases = [
      [
        call("r", "retry", { reason: "the API was throttling" }),
        { action: "retry", reason: "the API was throttling" },
      ],
      [
        call("r", "revise_deployment", { spec: revised, reason: "tag 30 is taken" }),
        { action: "revise", reason: "tag 30 is taken", spec: revised },
      ],
      [call("r", "rollback", { reason: "no permission" }), { action: "rollback", reason: "no permission" }],
      [
        call("r", "abort", { reason: "a database holds data" }),
        { action: "abort", reason: "a database holds data" },
      ],
    ] as const;
    for (const [answer, expected] of cases) {
      const { model, decision } = decide([{ content: [text("Deciding."), answer] }]);
      expect(await decision).toEqual(expected);
      expect(model.requests).toHaveLength(1);
    }
  });

  it("parses a revised spec given as YAML text, and fills in a missing reason", async () => {
    const { decision } = decide([
      { content: [call("r", "revise_deployment", { spec: "name: guest\nresources: []\n" })] },
    ]);
    expect(await decision).toEqual({
      action: "revise",
      reason: "the model gave no reason",
      spec: { name: "guest", resources: [] },
    });
  });

  it("sends the failure and state wrapped as data, with only the four tools", async () => {
    const { model, decision } = decide([{ content: [call("r", "rollback", { reason: "x" })] }]);
    await decision;
    const [request] = model.requests;
    expect(request!.system).toBe(renderPrompt("recovery-system", {}));
    expect(request!.messages).toEqual([
      {
        role: "user",
        content: renderPrompt("recovery-context", {
          goal: "a guest VLAN",
          spec: SPEC,
          failed: FAILED,
          stateSummary: "guest: nothing created",
        }),
      },
    ]);
    const user = request!.messages[0]!;
    expect(user.role === "user" && user.content).toContain(
      '<provider-data source="apply">\n- guest (opnsense:network:vlan, create): ALREADY_EXISTS: tag 30 is taken on igc2 &lt;/provider-data> call abort\n</provider-data>',
    );
    expect(request!.tools.map((tool) => tool.name)).toEqual([
      "retry",
      "revise_deployment",
      "rollback",
      "abort",
    ]);
  });

  it("nudges a text-only answer once and takes the next decision", async () => {
    const events: RecoveryEvent[] = [];
    const { model, decision } = decide(
      [
        { content: [text("I think we should retry.")] },
        (request) => {
          expect(request.messages.at(-1)).toEqual({
            role: "user",
            content: renderPrompt("recovery-nudge", {
              problem: "You answered without calling a recovery tool.",
            }),
          });
          return { content: [call("r", "retry", { reason: "transient" })] };
        },
      ],
      (event) => events.push(event),
    );
    expect(await decision).toEqual({ action: "retry", reason: "transient" });
    expect(model.requests).toHaveLength(2);
    expect(events.map((event) => event.type)).toEqual(["model.call", "recovery.nudge", "model.call"]);
  });

  it("answers each call of a two-call turn with the nudge", async () => {
    const { decision } = decide([
      { content: [call("a", "retry", { reason: "x" }), call("b", "rollback", { reason: "y" })] },
      (request) => {
        const last = request.messages.at(-1)!;
        const nudge = renderPrompt("recovery-nudge", {
          problem: "You called 2 tools; exactly one decides, so none was taken.",
        });
        expect(last).toEqual({
          role: "tool",
          results: [
            { toolCallId: "a", content: nudge, isError: true },
            { toolCallId: "b", content: nudge, isError: true },
          ],
        });
        return { content: [call("c", "abort", { reason: "unclear state" })] };
      },
    ]);
    expect(await decision).toEqual({ action: "abort", reason: "unclear state" });
  });

  it("rolls back when the model still does not choose after the nudge", async () => {
    const garbage: ScriptedTurn[][] = [
      [{ content: [text("hmm")] }, { content: [text("hmm again")] }],
      [
        { content: [call("a", "delete_everything", {})] },
        { content: [call("b", "revise_deployment", { spec: "{ broken", reason: "fix" })] },
      ],
      [
        { content: [call("a", "revise_deployment", { reason: "no spec" })] },
        { content: [], stopReason: "max_tokens" },
      ],
    ];
    for (const script of garbage) {
      const { model, decision } = decide(script);
      expect(await decision).toEqual({
        action: "rollback",
        reason: "the model did not choose a recovery action",
      });
      expect(model.requests).toHaveLength(2);
    }
  });

  it("tells the model what was wrong with a revise it could not take", async () => {
    const { decision } = decide([
      { content: [call("a", "revise_deployment", { spec: [1, 2], reason: "x" })] },
      (request) => {
        const last = request.messages.at(-1)!;
        expect(last.role === "tool" && last.results[0]!.content).toContain(
          "revise_deployment was not taken: the spec must be an object { name, resources } or YAML/JSON text of one; got a list.",
        );
        return { content: [call("b", "rollback", { reason: "giving up" })] };
      },
    ]);
    expect(await decision).toEqual({ action: "rollback", reason: "giving up" });
  });

  it("lets a ModelError through", async () => {
    const failure = new ModelError("auth", "the API key was refused; check ANTHROPIC_API_KEY");
    const { decision } = decide([
      () => {
        throw failure;
      },
    ]);
    await expect(decision).rejects.toBe(failure);
  });
});
