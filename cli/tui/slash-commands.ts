import type { Plan } from "../../agent/engine/plan-types.ts";
import type { EventSink } from "../../agent/events.ts";
import type { TuiSession } from "./session.ts";
import type { NewEntry } from "./transcript.ts";

/** Work that changes infrastructure: run like a goal, its plan approved with the same prompt. */
export type SlashWork = (hooks: {
  approve(plan: Plan): Promise<boolean>;
  onEvent: EventSink;
}) => Promise<NewEntry[]>;

export type SlashAction =
  | { type: "say"; entries: NewEntry[] }
  | { type: "run"; work: SlashWork }
  | { type: "clear" }
  | { type: "exit" };

const HELP: NewEntry[] = [
  { kind: "line", text: "Type a goal in plain language and press Enter, for example:" },
  { kind: "line", text: '  "a web app with a load balancer and a postgres database"', tone: "gray" },
  { kind: "line", text: "/help     this list" },
  { kind: "line", text: "/providers           servers and their resource types" },
  { kind: "line", text: "/state    deployments in state" },
  { kind: "line", text: "/state NAME          one deployment's resources" },
  { kind: "line", text: "/destroy NAME        delete a deployment (shows the plan, asks)" },
  { kind: "line", text: "/allow-destroy       let the next run delete or replace stateful resources" },
  { kind: "line", text: "/memory   remembered patterns" },
  { kind: "line", text: "/memory forget ID    forget a pattern (id or its start)" },
  { kind: "line", text: "/clear    clear the screen" },
  { kind: "line", text: "/exit     leave (Ctrl-C too)" },
  {
    kind: "line",
    text: "When a plan waits: y (or yes) applies it, n or Esc declines, d shows the full plan.",
    tone: "gray",
  },
];

const say = (entries: NewEntry[]): SlashAction => ({ type: "say", entries });

/** What `/name` does; the caller has checked that the text starts with a slash. */
export async function runSlashCommand(text: string, session: TuiSession): Promise<SlashAction> {
  const [word = "", ...args] = text.slice(1).trim().split(/\s+/);
  const name = word.toLowerCase();
  switch (name) {
    case "help":
    case "?":
      return say(HELP);
    case "clear":
      return { type: "clear" };
    case "exit":
    case "quit":
      return { type: "exit" };
    case "providers":
      return say(
        (await session.describeProviders()).map((server) =>
          server.types
            ? {
                kind: "line",
                text: `${server.name.padEnd(12)} ${server.types.length} types: ${server.types.join(", ")}`,
              }
            : {
                kind: "line",
                text: `${server.name.padEnd(12)} not answering: ${server.problem}`,
                tone: "red",
              },
        ),
      );
    case "allow-destroy":
      session.allowDestroyOnce();
      return say([
        {
          kind: "line",
          text: "The next run may delete or replace stateful resources (as --allow-destroy); type the goal or /destroy NAME again.",
          tone: "yellow",
        },
      ]);
    case "destroy": {
      const target = args[0];
      if (!target)
        return say([
          { kind: "line", text: "/destroy needs a deployment NAME (/state lists them).", tone: "yellow" },
        ]);
      return {
        type: "run",
        work: async (hooks) => {
          const result = await session.destroy(target, hooks);
          const said: Record<string, NewEntry> = {
            succeeded: {
              kind: "line",
              text: `Destroyed ${result.destroyed} resource(s) of ${target}.`,
              tone: "green",
              bold: true,
            },
            "nothing-to-do": { kind: "line", text: `Deployment ${target} holds no resources.`, bold: true },
            "not-approved": {
              kind: "line",
              text: "Not approved: nothing was deleted.",
              tone: "yellow",
              bold: true,
            },
            blocked: { kind: "line", text: `Blocked: ${result.reason ?? ""}`, tone: "red", bold: true },
          };
          return [
            said[result.outcome] ?? {
              kind: "line",
              text: `Destroy ${result.outcome}. State records what exists.`,
              tone: "red",
              bold: true,
            },
          ];
        },
      };
    }
    case "state": {
      if (args[0]) {
        const state = await session.showDeployment(args[0]);
        if (!state)
          return say([
            {
              kind: "line",
              text: `No deployment named ${args[0]} in ${session.stateStore}; /state lists them.`,
              tone: "yellow",
            },
          ]);
        const records = Object.values(state.resources);
        return say([
          { kind: "line", text: `${state.name}: v${state.version}, ${records.length} resources` },
          ...records.map(
            (record): NewEntry => ({
              kind: "line",
              text: `  ${record.name.padEnd(22)} ${record.type.padEnd(34)} ${record.id}`,
            }),
          ),
        ]);
      }
      const deployments = await session.listDeployments();
      if (deployments.length === 0)
        return say([{ kind: "line", text: `No deployments in ${session.stateStore}.` }]);
      return say(
        deployments.map((entry) => ({
          kind: "line",
          text: `${entry.name.padEnd(24)} ${String(entry.resources).padStart(4)} resources  v${entry.version}  ${entry.updatedAt}${entry.pending ? `  ${entry.pending} pending` : ""}`,
        })),
      );
    }
    case "memory": {
      if (args[0] === "forget") {
        if (!args[1])
          return say([
            {
              kind: "line",
              text: "/memory forget needs a pattern id (or its start); /memory lists them.",
              tone: "yellow",
            },
          ]);
        const count = await session.forgetPattern(args[1]);
        return say([{ kind: "line", text: `Forgot ${count} pattern(s) matching ${args[1]}.` }]);
      }
      const patterns = await session.listPatterns();
      if (patterns.length === 0)
        return say([{ kind: "line", text: `No remembered patterns (${session.memoryStore}).` }]);
      return say(
        patterns.map((pattern) => ({
          kind: "line",
          text: `${pattern.id.slice(0, 12)}  ${pattern.deployment.padEnd(20)} used ${pattern.uses}×  "${pattern.goal}"`,
        })),
      );
    }
    default:
      return say([
        { kind: "line", text: `Unknown command ${text}; /help lists the commands.`, tone: "yellow" },
      ]);
  }
}
