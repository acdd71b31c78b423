import { EXIT } from "../../agent/errors.ts";
import type { MemoryStore } from "../../memory/index.ts";
import { usageError } from "../args.ts";
import type { CommandContext, CommandDefinition } from "./types.ts";

export const memoryCommand: CommandDefinition = {
  name: "memory",
  usage: ["memory list | search TEXT | forget ID"],
  summary: "what the agent remembers: deployment patterns and lessons",
  flags: { all: { type: "boolean", help: "with forget: forget everything" } },
  exitCodes: { 0: "done", 2: "bad usage, or forget matched nothing" },
  async run(context) {
    const { parsed } = context;
    const sub = parsed.command[1];
    const { memoryFor } = await import("../goal.ts");
    const memory = memoryFor(parsed.global.cwd);
    try {
      if (sub === "list") return await listMemory(context, memory);
      if (sub === "search") return await searchMemory(context, memory);
      if (sub === "forget") return await forgetMemory(context, memory);
      throw usageError("agent memory takes list, search TEXT or forget ID");
    } finally {
      await memory.close();
    }
  },
};

async function listMemory({ out }: CommandContext, memory: MemoryStore): Promise<number> {
  const patterns = await memory.listPatterns();
  const lessons = await memory.listLessons();
  out.result({ command: "memory list", store: memory.describe(), patterns, lessons }, () => {
    if (patterns.length === 0 && lessons.length === 0) out.line(`Memory is empty (${memory.describe()}).`);
    for (const pattern of patterns)
      out.line(
        `${pattern.id.slice(0, 12)}  ${pattern.deployment.padEnd(20)} used ${pattern.uses}×  "${pattern.goal}"`,
      );
    for (const lesson of lessons)
      out.line(`${lesson.id.slice(0, 12)}  lesson ${lesson.errorCode} on ${lesson.type}: ${lesson.fix}`);
  });
  return EXIT.ok;
}

async function searchMemory({ parsed, out }: CommandContext, memory: MemoryStore): Promise<number> {
  const query = parsed.command.slice(2).join(" ");
  if (!query) throw usageError("agent memory search TEXT");
  const hits = await memory.searchPatterns(query, { limit: 10 });
  out.result({ command: "memory search", query, hits }, () => {
    if (hits.length === 0) out.line("No remembered pattern matches.");
    for (const hit of hits)
      out.line(
        `${hit.score.toFixed(2)}  ${hit.item.id.slice(0, 12)}  ${hit.item.deployment}: "${hit.item.goal}"`,
      );
  });
  return EXIT.ok;
}

async function forgetMemory({ parsed, out }: CommandContext, memory: MemoryStore): Promise<number> {
  const target = parsed.command[2];
  const all = parsed.flags["all"] === true || target === "all";
  if (!target && !all) throw usageError("agent memory forget ID (or --all)");
  const removed = all ? await memory.forgetAll() : await memory.forget(target as string);
  out.result({ command: "memory forget", removed }, () => out.line(`Forgot ${removed} item(s).`));
  return removed > 0 ? EXIT.ok : EXIT.usage;
}
