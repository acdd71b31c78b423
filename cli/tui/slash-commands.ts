import type { TuiSession } from "./session.ts";
import type { NewEntry } from "./transcript.ts";

export type SlashAction = { type: "say"; entries: NewEntry[] } | { type: "clear" } | { type: "exit" };

const HELP: NewEntry[] = [
  { kind: "line", text: "Type a goal in plain language and press Enter, for example:" },
  { kind: "line", text: '  "a web app with a load balancer and a postgres database"', tone: "gray" },
  { kind: "line", text: "/help     this list" },
  { kind: "line", text: "/state    deployments in state" },
  { kind: "line", text: "/memory   remembered patterns" },
  { kind: "line", text: "/clear    clear the screen" },
  { kind: "line", text: "/exit     leave (Ctrl-C too)" },
  {
    kind: "line",
    text: "When a plan waits: y applies it, n or Esc declines, d shows the full plan.",
    tone: "gray",
  },
];

const say = (entries: NewEntry[]): SlashAction => ({ type: "say", entries });

/** What `/name` does; the caller has checked that the text starts with a slash. */
export async function runSlashCommand(text: string, session: TuiSession): Promise<SlashAction> {
  const name = text.slice(1).trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  switch (name) {
    case "help":
    case "?":
      return say(HELP);
    case "clear":
      return { type: "clear" };
    case "exit":
    case "quit":
      return { type: "exit" };
    case "state": {
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
