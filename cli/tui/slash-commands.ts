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

const note = (text: string, tone?: NewLineTone): NewEntry =>
  tone ? { kind: "line", text, tone } : { kind: "line", text };
type NewLineTone = Extract<NewEntry, { kind: "line" }>["tone"];

type SlashHandler = (args: string[], session: TuiSession) => SlashAction | Promise<SlashAction>;

/** Each slash command by name; aliases share a handler. */
const SLASH_COMMANDS: Record<string, SlashHandler> = {
  help: () => say(HELP),
  "?": () => say(HELP),
  clear: () => ({ type: "clear" }),
  exit: () => ({ type: "exit" }),
  quit: () => ({ type: "exit" }),
  providers: providersCommand,
  "allow-destroy": (_args, session) => {
    session.allowDestroyOnce();
    return say([
      note(
        "The next run may delete or replace stateful resources (as --allow-destroy); type the goal or /destroy NAME again.",
        "yellow",
      ),
    ]);
  },
  destroy: destroyCommand,
  state: stateCommand,
  memory: memoryCommand,
};

/** What `/name` does; the caller has checked that the text starts with a slash. */
export async function runSlashCommand(text: string, session: TuiSession): Promise<SlashAction> {
  const [word = "", ...args] = text.slice(1).trim().split(/\s+/);
  const handler = Object.hasOwn(SLASH_COMMANDS, word.toLowerCase())
    ? SLASH_COMMANDS[word.toLowerCase()]
    : undefined;
  if (!handler) return say([note(`Unknown command ${text}; /help lists the commands.`, "yellow")]);
  return handler(args, session);
}

async function providersCommand(_args: string[], session: TuiSession): Promise<SlashAction> {
  return say(
    (await session.describeProviders()).map((server) =>
      server.types
        ? note(`${server.name.padEnd(12)} ${server.types.length} types: ${server.types.join(", ")}`)
        : note(`${server.name.padEnd(12)} not answering: ${server.problem}`, "red"),
    ),
  );
}

function destroyCommand(args: string[], session: TuiSession): SlashAction {
  const target = args[0];
  if (!target) return say([note("/destroy needs a deployment NAME (/state lists them).", "yellow")]);
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

async function stateCommand(args: string[], session: TuiSession): Promise<SlashAction> {
  const name = args[0];
  if (name) {
    const state = await session.showDeployment(name);
    if (!state)
      return say([
        note(`No deployment named ${name} in ${session.stateStore}; /state lists them.`, "yellow"),
      ]);
    const records = Object.values(state.resources);
    return say([
      note(`${state.name}: v${state.version}, ${records.length} resources`),
      ...records.map((record) => note(`  ${record.name.padEnd(22)} ${record.type.padEnd(34)} ${record.id}`)),
    ]);
  }
  const deployments = await session.listDeployments();
  if (deployments.length === 0) return say([note(`No deployments in ${session.stateStore}.`)]);
  return say(
    deployments.map((entry) =>
      note(
        `${entry.name.padEnd(24)} ${String(entry.resources).padStart(4)} resources  v${entry.version}  ${entry.updatedAt}${entry.pending ? `  ${entry.pending} pending` : ""}`,
      ),
    ),
  );
}

async function memoryCommand(args: string[], session: TuiSession): Promise<SlashAction> {
  if (args[0] === "forget") {
    const target = args[1];
    if (!target)
      return say([note("/memory forget needs a pattern id (or its start); /memory lists them.", "yellow")]);
    const count = await session.forgetPattern(target);
    return say([note(`Forgot ${count} pattern(s) matching ${target}.`)]);
  }
  const patterns = await session.listPatterns();
  if (patterns.length === 0) return say([note(`No remembered patterns (${session.memoryStore}).`)]);
  return say(
    patterns.map((pattern) =>
      note(
        `${pattern.id.slice(0, 12)}  ${pattern.deployment.padEnd(20)} used ${pattern.uses}×  "${pattern.goal}"`,
      ),
    ),
  );
}
