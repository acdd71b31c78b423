// Only what every command needs is imported here; each command imports the rest itself, so
// `--help` and `agent provider NAME` load a few modules, not the whole program (Ink, model SDKs, pg).
import { EXIT, IacError } from "../agent/errors.ts";
import type { EventSink, RunEvent } from "../agent/events.ts";
import { SecretScrubber, secretsFromConfig } from "../agent/secrets.ts";
import { HELP, type ParsedCommand, parseCommandLine, positiveInt, usageError } from "./args.ts";
import { BUILTIN_PROVIDERS } from "./builtin-providers.ts";
import type { HumanPrinter } from "./printer.ts";
import { painter } from "./style.ts";
import { packageVersion } from "./version.ts";

type Output = {
  /** Events go to the human printer, or are collected for the one JSON document. */
  emit: EventSink;
  events: RunEvent[];
  printer?: HumanPrinter;
  /** The one JSON document (with --json) or human lines. */
  result(document: Record<string, unknown>, human?: () => void): void;
};

/** One per command: what it prints, human or JSON, and its errors pass through it (see openWorkspace). */
const scrubber = new SecretScrubber();

/** stdout as the printer sees it: every write scrubbed. */
function scrubbedStdout(): NodeJS.WriteStream {
  const stdout = process.stdout;
  return Object.create(stdout, {
    write: {
      value: (chunk: unknown, ...rest: unknown[]) =>
        (stdout.write as (...args: unknown[]) => boolean)(
          typeof chunk === "string" ? scrubber.scrub(chunk) : chunk,
          ...rest,
        ),
    },
  }) as NodeJS.WriteStream;
}

async function makeOutput(json: boolean): Promise<Output> {
  const events: RunEvent[] = [];
  if (json) {
    return {
      events,
      emit: (event) => events.push(event),
      result: (document) =>
        process.stdout.write(`${JSON.stringify(scrubber.scrubDeep({ ...document, events }), null, 2)}\n`),
    };
  }
  const { HumanPrinter } = await import("./printer.ts");
  const printer = new HumanPrinter(scrubbedStdout());
  return { events, emit: printer.handle, printer, result: (_document, human) => human?.() };
}

function requireFile(parsed: ParsedCommand): string {
  const file = parsed.flags["file"];
  if (typeof file !== "string") throw usageError(`agent ${parsed.command[0]} needs a spec: -f FILE`);
  return file;
}

function requireName(parsed: ParsedCommand, index = 1): string {
  const name = parsed.command[index];
  if (!name) throw usageError(`agent ${parsed.command.slice(0, index).join(" ")} needs a deployment NAME`);
  return name;
}

function lockOptions(parsed: ParsedCommand) {
  const wait = positiveInt(parsed.flags["lock-timeout"], "lock-timeout");
  return {
    ...(wait ? { lockWaitMs: wait * 1000 } : {}),
    ...(parsed.flags["force-unlock"] ? { forceUnlock: true } : {}),
  };
}

/** Plans read what exists by default, as Terraform's do; `--refresh=false` (or --no-refresh) trusts state. */
function refreshFlag(parsed: ParsedCommand): boolean {
  return !parsed.flags["no-refresh"];
}

/** Approval for a change that is not an apply: --yes, a terminal's answer, or exit 4 under --json. */
async function approveOrRefuse(question: string, global: ParsedCommand["global"]): Promise<boolean> {
  if (global.json && !global.yes) {
    throw new IacError("NOT_APPROVED", "--json runs cannot ask for approval", {
      exitCode: 4,
      hint: "review what it will change, then add --yes",
    });
  }
  const { askYes } = await import("./approve.ts");
  return askYes(question, global.yes);
}

async function run(parsed: ParsedCommand): Promise<number> {
  const [command, ...rest] = parsed.command;
  const { global } = parsed;
  if (parsed.flags["version"]) {
    process.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (parsed.flags["help"] || command === "help") {
    process.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (!command) {
    if (process.stdin.isTTY && process.stdout.isTTY && !global.json) {
      // Loaded only here, so the one-shot commands never load React and Ink.
      const { runTui } = await import("./tui/index.ts");
      return runTui({ global });
    }
    process.stdout.write(`${HELP}\n`);
    return EXIT.usage;
  }
  const out = await makeOutput(global.json);
  const paint = painter(process.stdout);

  switch (command) {
    case "plan": {
      const { loadSpecFile } = await import("../agent/engine/spec.ts");
      const { openWorkspace } = await import("./workspace.ts");
      const { policiesFor } = await import("./goal.ts");
      const { planOnly } = await import("../agent/operations.ts");
      const deployment = await loadSpecFile(requireFile(parsed));
      const workspace = openWorkspace(global, out.emit, scrubber);
      try {
        const policies = await policiesFor(workspace.loaded, global.cwd, {
          allowDestroy: Boolean(parsed.flags["allow-destroy"]),
        });
        const { plan, blocked } = await planOnly(workspace, deployment, {
          policies,
          refresh: refreshFlag(parsed),
        });
        const exit = blocked ? EXIT.policy : EXIT.ok;
        out.result(
          {
            command: "plan",
            deployment: deployment.name,
            plan,
            ...(blocked ? { blocked } : {}),
            exitCode: exit,
          },
          () => {
            if (blocked)
              out.printer?.line(
                `An apply of this plan would be blocked by ${blocked.findings.length} mandatory policy finding(s).`,
              );
          },
        );
        return exit;
      } finally {
        await workspace.close();
      }
    }
    case "apply": {
      const { loadSpecFile } = await import("../agent/engine/spec.ts");
      const { openWorkspace } = await import("./workspace.ts");
      const { policiesFor } = await import("./goal.ts");
      const { applyDeployment } = await import("../agent/operations.ts");
      const { askYes } = await import("./approve.ts");
      const { summaryLine } = await import("./render-plan.ts");
      const deployment = await loadSpecFile(requireFile(parsed));
      const workspace = openWorkspace(global, out.emit, scrubber);
      try {
        const parallelism = positiveInt(parsed.flags["parallelism"], "parallelism");
        const output = await applyDeployment(workspace, deployment, {
          ...lockOptions(parsed),
          command: "apply",
          policies: await policiesFor(workspace.loaded, global.cwd, {
            allowDestroy: Boolean(parsed.flags["allow-destroy"]),
          }),
          approve: async (plan) => {
            if (global.json && !global.yes) {
              throw new IacError("NOT_APPROVED", "--json runs cannot ask for approval", {
                exitCode: 4,
                hint: "add --yes",
              });
            }
            return askYes(
              `Do you want to apply these changes to ${plan.deployment}? ${summaryLine(plan, paint)}`,
              global.yes,
            );
          },
          ...(parsed.flags["dry-run"] ? { dryRun: true } : {}),
          ...(parsed.flags["no-rollback"] ? { rollback: false } : {}),
          refresh: refreshFlag(parsed),
          ...(parallelism ? { parallelism } : {}),
          ...(Object.keys(workspace.perServer).length > 0 ? { perServer: workspace.perServer } : {}),
        });
        const exit = output.blocked
          ? EXIT.policy
          : parsed.flags["dry-run"]
            ? EXIT.ok
            : !output.approved
              ? EXIT.notApproved
              : !output.report ||
                  output.report.outcome === "succeeded" ||
                  output.report.outcome === "nothing-to-do"
                ? EXIT.ok
                : EXIT.failed;
        out.result(
          {
            command: "apply",
            deployment: deployment.name,
            runId: output.runId,
            approved: output.approved,
            plan: output.plan ?? null,
            report: output.report ?? null,
            ...(output.blocked ? { blocked: output.blocked } : {}),
            exitCode: exit,
          },
          () => {
            if (output.blocked) {
              out.printer?.line(
                `Apply blocked by ${output.blocked.findings.length} mandatory policy finding(s); nothing was changed.`,
              );
              if (
                output.blocked.findings.some(
                  (finding) => finding.policy === "baseline/stateful-change-approval",
                )
              ) {
                out.printer?.line(
                  "To delete or replace stateful resources, approve it explicitly with --allow-destroy.",
                );
              }
            } else if (!output.approved && !parsed.flags["dry-run"])
              out.printer?.line("Apply cancelled: not approved.");
            if (output.report?.outcome === "nothing-to-do") out.printer?.line("Nothing to do.");
          },
        );
        return exit;
      } finally {
        await workspace.close();
      }
    }
    case "destroy": {
      const { openWorkspace } = await import("./workspace.ts");
      const { destroyDeployment } = await import("../agent/operations.ts");
      const { policiesFor } = await import("./goal.ts");
      const name = requireName(parsed);
      const workspace = openWorkspace(global, out.emit, scrubber);
      try {
        const parallelism = positiveInt(parsed.flags["parallelism"], "parallelism");
        const result = await destroyDeployment(workspace, name, {
          ...lockOptions(parsed),
          ...(parallelism ? { parallelism } : {}),
          policies: await policiesFor(workspace.loaded, global.cwd, {
            allowDestroy: Boolean(parsed.flags["allow-destroy"]),
          }),
          approve: (plan) =>
            approveOrRefuse(
              `Destroy all ${plan.changes.length} resource(s) of ${name}? There is no undo.`,
              global,
            ),
        });
        const exit =
          result.outcome === "blocked"
            ? EXIT.policy
            : !result.approved
              ? EXIT.notApproved
              : result.outcome === "failed"
                ? EXIT.failed
                : EXIT.ok;
        out.result({ command: "destroy", deployment: name, ...result, exitCode: exit }, () => {
          if ("blocked" in result && result.blocked) {
            out.printer?.line(
              `Destroy blocked by ${result.blocked.findings.length} mandatory policy finding(s); nothing was deleted.`,
            );
            out.printer?.line("To delete stateful resources, approve it explicitly with --allow-destroy.");
          } else if (!result.approved) out.printer?.line("Destroy cancelled: not approved.");
          else if (result.outcome === "nothing-to-do")
            out.printer?.line(`Deployment ${name} holds no resources.`);
          else if (result.outcome === "succeeded")
            out.printer?.line(`Destroy complete! ${result.results.length} resource(s) destroyed.`);
        });
        return exit;
      } finally {
        await workspace.close();
      }
    }
    case "refresh": {
      const { openWorkspace } = await import("./workspace.ts");
      const { refreshDeployment } = await import("../agent/operations.ts");
      const name = requireName(parsed);
      const workspace = openWorkspace(global, out.emit, scrubber);
      try {
        const adopt = Boolean(parsed.flags["adopt-orphans"]);
        if (adopt && parsed.flags["delete-orphans"])
          throw usageError("--adopt-orphans and --delete-orphans exclude each other");
        const drift = await refreshDeployment(workspace, name, {
          ...lockOptions(parsed),
          orphans: adopt ? "adopt" : parsed.flags["delete-orphans"] ? "delete" : "report",
        });
        const orphans = drift.orphans ?? [];
        out.result({ command: "refresh", deployment: name, drift: [...drift], orphans }, () => {
          out.printer?.line(
            drift.length === 0
              ? `No drift: ${name} matches what its providers report.`
              : `${drift.length} resource(s) drifted; state now records what exists.`,
          );
          const open = orphans.filter(
            (orphan) => orphan.outcome === "reported" || orphan.outcome === "failed",
          );
          if (open.length > 0)
            out.printer?.line(
              `${open.length} orphan(s): providers list them for ${name}, state does not hold them.`,
            );
        });
        return EXIT.ok;
      } finally {
        await workspace.close();
      }
    }
    case "rollback": {
      const { openWorkspace } = await import("./workspace.ts");
      const { rollbackDeployment } = await import("../agent/operations.ts");
      const name = requireName(parsed);
      const workspace = openWorkspace(global, out.emit, scrubber);
      try {
        const snapshot = parsed.flags["snapshot"];
        const outcome = await rollbackDeployment(workspace, name, {
          ...lockOptions(parsed),
          ...(typeof snapshot === "string" ? { snapshotId: snapshot } : {}),
          allowDestroy: Boolean(parsed.flags["allow-destroy"]),
          approve: (preview) =>
            approveOrRefuse(
              `Roll back ${preview.resources.length} resource(s) of ${name} to the snapshot?`,
              global,
            ),
        });
        const exit = outcome.approved
          ? EXIT.ok
          : "blocked" in outcome && outcome.blocked
            ? EXIT.policy
            : EXIT.notApproved;
        out.result({ command: "rollback", deployment: name, ...outcome, exitCode: exit }, () => {
          if (!outcome.approved) {
            out.printer?.line(
              outcome.blocked
                ? `Rollback blocked: it restores stateful resources (${outcome.blocked.findings.map((f) => f.resource).join(", ")}); approve it explicitly with --allow-destroy.`
                : "Rollback cancelled: not approved.",
            );
            return;
          }
          for (const entry of outcome.restored) {
            out.printer?.line(
              `${entry.server}: restored snapshot ${entry.snapshotId} (${entry.restored.length} restored, ${entry.deleted.length} deleted)`,
            );
          }
        });
        return exit;
      } finally {
        await workspace.close();
      }
    }
    case "state":
      return stateCommand(parsed, out);
    case "providers":
      return providersCommand(parsed, out);
    case "graph": {
      const { loadSpecFile } = await import("../agent/engine/spec.ts");
      const { buildGraph } = await import("../agent/engine/graph.ts");
      const { formatGraph } = await import("./graph-format.ts");
      const deployment = await loadSpecFile(requireFile(parsed));
      const format = parsed.flags["format"] ?? "mermaid";
      if (format !== "mermaid" && format !== "dot")
        throw usageError(`--format is mermaid or dot, not "${String(format)}"`);
      const graph = buildGraph(deployment);
      const text = formatGraph(graph, format);
      if (global.json) out.result({ command: "graph", deployment: deployment.name, format, graph: text });
      else process.stdout.write(`${text}\n`);
      return EXIT.ok;
    }
    case "provider":
      return providerCommand(rest, parsed);
    case "init": {
      const { initConfig, initSummary } = await import("../agent/init.ts");
      const result = await initConfig({ cwd: global.cwd, force: Boolean(parsed.flags["force"]) });
      out.result({ command: "init", ...result }, () => {
        for (const line of initSummary(result)) out.printer?.line(line);
      });
      return EXIT.ok;
    }
    case "mcp":
      return mcpCommand(parsed);
    case "eval": {
      const { evalArgs, runEvalCommand } = await import("../evals/command.ts");
      return runEvalCommand(evalArgs(parsed));
    }
    case "policy":
      return policyCommand(parsed, out);
    case "memory":
      return memoryCommand(parsed, out);
    default: {
      // `agent "deploy a web app ..."`: a goal is anything that is not a command.
      if (!/\s/.test(parsed.command.join(" ")))
        throw usageError(`unknown command "${command}"; a goal in plain language goes in quotes`);
      const goal = parsed.command.join(" ");
      const { openWorkspace } = await import("./workspace.ts");
      const { goalCommand } = await import("./goal.ts");
      const workspace = openWorkspace(global, out.emit, scrubber);
      try {
        const parallelism = positiveInt(parsed.flags["parallelism"], "parallelism");
        const report = await goalCommand({
          goal,
          global,
          workspace,
          dryRun: Boolean(parsed.flags["dry-run"]),
          allowDestroy: Boolean(parsed.flags["allow-destroy"]),
          ...(typeof parsed.flags["name"] === "string" ? { deploymentName: parsed.flags["name"] } : {}),
          ...(parallelism ? { parallelism } : {}),
          ...lockOptions(parsed),
        });
        out.result({ command: "goal", ...report }, () => {
          const paint = painter(process.stdout);
          const tokens =
            report.modelCalls.length > 0
              ? ` Model: ${report.modelCalls.length} call(s), ${report.tokens.input} tokens in (${report.tokens.cached} cached), ${report.tokens.output} out.`
              : "";
          const line = {
            succeeded: paint("green", "Done."),
            "nothing-to-do": paint("green", "Nothing to do: everything already matches."),
            planned: "Dry run: nothing was applied.",
            declined: paint("red", `Not planned: ${report.reason ?? ""}`),
            "planner-failed": paint("red", `Planning failed: ${report.reason ?? ""}`),
            blocked: paint("red", `Blocked: ${report.reason ?? ""}`),
            "not-approved": global.json || global.yes ? "Not approved." : "Apply cancelled: not approved.",
            failed: paint(
              "red",
              `Failed${report.reason ? `: ${report.reason}` : ""}. State records what exists.`,
            ),
            "rolled-back": paint(
              "yellow",
              `Failed and rolled back${report.reason ? `: ${report.reason}` : ""}.`,
            ),
          }[report.outcome];
          out.printer?.line(`${line}${tokens}`);
        });
        return report.exitCode;
      } finally {
        await workspace.close();
      }
    }
  }
}

/** `agent mcp`: the agent as a stdio MCP server until its client goes away. */
async function mcpCommand(parsed: ParsedCommand): Promise<number> {
  const { loadConfig, ProviderClients } = await import("../tools/client/index.ts");
  const { selfCommand, stateBackendFor } = await import("./workspace.ts");
  const { createAgentMcpServer } = await import("../agent/mcp-server.ts");
  const { policiesFor } = await import("./goal.ts");
  const { serveStdio } = await import("../tools/protocol/server.ts");
  const cwd = parsed.global.cwd;
  const loaded = loadConfig({ cwd, configFile: parsed.global.config });
  const clients = new ProviderClients(loaded.config.mcpServers, { cwd, builtinCommand: selfCommand() });
  const state = stateBackendFor(loaded, cwd);
  const scrubber = new SecretScrubber();
  secretsFromConfig(
    loaded.config.mcpServers as Record<string, { env?: Record<string, string> }>,
    process.env,
    scrubber,
  );
  const server = createAgentMcpServer({
    workspace: (emit) => ({ gateway: clients, state, emit }),
    servers: clients.serverNames(),
    policies: await policiesFor(loaded, cwd, { allowDestroy: Boolean(parsed.flags["allow-destroy"]) }),
    allowApply: Boolean(parsed.flags["allow-apply"]),
    scrubber,
    version: packageVersion(),
  });
  await serveStdio(server, () => clients.close());
  return -1;
}

async function policyCommand(parsed: ParsedCommand, out: Output): Promise<number> {
  if (parsed.command[1] !== "check")
    throw usageError("agent policy check -f FILE checks a spec against the configured policies");
  const { loadSpecFile } = await import("../agent/engine/spec.ts");
  const { loadConfig } = await import("../tools/client/config.ts");
  const { policiesFor } = await import("./goal.ts");
  const { formatFindings } = await import("../policies/index.ts");
  const deployment = await loadSpecFile(requireFile(parsed));
  const cwd = parsed.global.cwd;
  const loaded = loadConfig({ cwd, configFile: parsed.global.config });
  const policies = await policiesFor(loaded, cwd, { allowDestroy: Boolean(parsed.flags["allow-destroy"]) });
  const result = policies.checkDeployment(deployment);
  out.result({ command: "policy check", deployment: deployment.name, ...result }, () => {
    if (result.findings.length === 0) out.printer?.line(`No policy findings for ${deployment.name}.`);
    for (const line of formatFindings(result)) out.printer?.line(line);
    if (result.blocked) out.printer?.line(`Blocked: ${result.mandatory.length} mandatory finding(s).`);
  });
  return result.blocked ? EXIT.policy : EXIT.ok;
}

async function memoryCommand(parsed: ParsedCommand, out: Output): Promise<number> {
  const sub = parsed.command[1];
  const { memoryFor } = await import("./goal.ts");
  const memory = memoryFor(parsed.global.cwd);
  try {
    if (sub === "list") {
      const patterns = await memory.listPatterns();
      const lessons = await memory.listLessons();
      out.result({ command: "memory list", store: memory.describe(), patterns, lessons }, () => {
        if (patterns.length === 0 && lessons.length === 0)
          out.printer?.line(`Memory is empty (${memory.describe()}).`);
        for (const pattern of patterns) {
          out.printer?.line(
            `${pattern.id.slice(0, 12)}  ${pattern.deployment.padEnd(20)} used ${pattern.uses}×  "${pattern.goal}"`,
          );
        }
        for (const lesson of lessons)
          out.printer?.line(
            `${lesson.id.slice(0, 12)}  lesson ${lesson.errorCode} on ${lesson.type}: ${lesson.fix}`,
          );
      });
      return EXIT.ok;
    }
    if (sub === "search") {
      const query = parsed.command.slice(2).join(" ");
      if (!query) throw usageError("agent memory search TEXT");
      const hits = await memory.searchPatterns(query, { limit: 10 });
      out.result({ command: "memory search", query, hits }, () => {
        if (hits.length === 0) out.printer?.line("No remembered pattern matches.");
        for (const hit of hits)
          out.printer?.line(
            `${hit.score.toFixed(2)}  ${hit.item.id.slice(0, 12)}  ${hit.item.deployment}: "${hit.item.goal}"`,
          );
      });
      return EXIT.ok;
    }
    if (sub === "forget") {
      const target = parsed.command[2];
      if (!target) throw usageError("agent memory forget ID (or --all)");
      const removed =
        target === "all" || target === "--all" ? await memory.forgetAll() : await memory.forget(target);
      out.result({ command: "memory forget", removed }, () =>
        out.printer?.line(`Forgot ${removed} item(s).`),
      );
      return removed > 0 ? EXIT.ok : EXIT.usage;
    }
    throw usageError("agent memory takes list, search TEXT or forget ID");
  } finally {
    await memory.close();
  }
}

async function stateCommand(parsed: ParsedCommand, out: Output): Promise<number> {
  const sub = parsed.command[1];
  const cwd = parsed.global.cwd;
  const { loadConfig } = await import("../tools/client/config.ts");
  const { stateBackendFor } = await import("./workspace.ts");
  const loaded = loadConfig({ cwd, configFile: parsed.global.config });
  secretsFromConfig(
    loaded.config.mcpServers as Record<
      string,
      { env?: Record<string, string>; headers?: Record<string, string> }
    >,
    process.env,
    scrubber,
  );
  const backend = stateBackendFor(loaded, cwd);
  if (sub === "list") {
    const deployments = await backend.list();
    out.result({ command: "state list", backend: backend.describe(), deployments }, () => {
      if (deployments.length === 0) {
        out.printer?.line(`No deployments in ${backend.describe()}.`);
        return;
      }
      for (const entry of deployments) {
        out.printer?.line(
          `${entry.name.padEnd(24)} ${String(entry.resources).padStart(6)} resources  v${entry.version}  ${entry.updatedAt}${entry.pending ? `  ${entry.pending} pending` : ""}`,
        );
      }
    });
    return EXIT.ok;
  }
  if (sub === "show") {
    const name = requireName(parsed, 2);
    const state = await backend.read(name);
    if (!state)
      throw new IacError("NO_SUCH_DEPLOYMENT", `no deployment named ${name} in state`, {
        exitCode: 2,
        hint: "`agent state list` shows what state holds",
      });
    out.result({ command: "state show", state }, () => {
      out.printer?.line(`${state.name}  version ${state.version}  updated ${state.updatedAt}`);
      for (const record of Object.values(state.resources)) {
        out.printer?.line(
          `  ${record.name.padEnd(24)} ${record.type.padEnd(36)} ${record.id}  [${record.server}]`,
        );
        for (const [key, value] of Object.entries(record.outputs))
          out.printer?.line(`      ${key} = ${JSON.stringify(value)}`);
      }
      for (const operation of Object.values(state.pending)) {
        out.printer?.line(`  pending: ${operation.action} ${operation.name} since ${operation.startedAt}`);
      }
      for (const snapshot of state.snapshots)
        out.printer?.line(`  snapshot ${snapshot.snapshotId} on ${snapshot.server} (${snapshot.createdAt})`);
    });
    return EXIT.ok;
  }
  throw usageError("agent state takes list or show NAME");
}

async function providersCommand(parsed: ParsedCommand, out: Output): Promise<number> {
  const { openWorkspace } = await import("./workspace.ts");
  const workspace = openWorkspace(parsed.global, out.emit, scrubber);
  try {
    const servers = workspace.clients.listServers();
    const report: (ReturnType<typeof workspace.clients.listServers>[number] &
      Awaited<ReturnType<typeof workspace.clients.health>>)[] = [];
    for (const server of servers) {
      const health = await workspace.clients.health(server.name);
      report.push({ ...server, ...health });
    }
    out.result({ command: "providers", source: workspace.loaded.source, servers: report }, () => {
      for (const entry of report) {
        const status = entry.ok ? (entry.toolOnly ? "tool-only" : "ok") : `unavailable: ${entry.error ?? ""}`;
        out.printer?.line(`${entry.name.padEnd(14)} ${entry.transport.padEnd(16)} ${status}`);
        out.printer?.line(`  ${entry.target}`);
        for (const type of entry.types ?? []) out.printer?.line(`    ${type}`);
      }
    });
    return report.every((entry) => entry.ok) ? EXIT.ok : EXIT.failed;
  } finally {
    await workspace.close();
  }
}

async function providerCommand(rest: string[], parsed: ParsedCommand): Promise<number> {
  const name = rest[0];
  if (name === "test") {
    if (parsed.passthrough.length === 0)
      throw usageError("agent provider test -- COMMAND [ARGS] runs the conformance suite against a server");
    const { runConformanceCommand } = await import("../tools/conformance/index.ts");
    return runConformanceCommand(parsed.passthrough);
  }
  const load = name ? BUILTIN_PROVIDERS[name] : undefined;
  if (!load)
    throw usageError(
      `agent provider NAME serves a built-in provider: ${Object.keys(BUILTIN_PROVIDERS).join(", ")}`,
    );
  const provider = await load();
  await provider.main();
  // The server now runs until its client closes stdin.
  return -1;
}

function reportError(error: unknown, json: boolean): number {
  const known = error as { name?: string; message?: string; exitCode?: number; hint?: string; code?: string };
  const userFacing =
    IacError.isInstance(error) ||
    [
      "ConfigError",
      "LockHeldError",
      "ProviderUnavailableError",
      "ProviderCallError",
      "UnknownTypeError",
    ].includes(known?.name ?? "");
  const exitCode = IacError.isInstance(error)
    ? error.exitCode
    : known?.name === "ConfigError"
      ? EXIT.usage
      : EXIT.failed;
  const message = scrubber.scrub(error instanceof Error ? error.message : String(error));
  if (known?.hint) known.hint = scrubber.scrub(known.hint);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ error: { code: known?.code ?? known?.name ?? "ERROR", message, hint: known?.hint }, exitCode }, null, 2)}\n`,
    );
  } else {
    const paint = painter(process.stderr);
    process.stderr.write(`${paint("red", "Error:")} ${message}\n`);
    if (known?.hint) process.stderr.write(`${known.hint}\n`);
    if (!userFacing && error instanceof Error && error.stack) {
      process.stderr.write(
        `\nThis is a bug in mcp-iac; please report it with the trace below.\n${scrubber.scrub(error.stack)}\n`,
      );
    }
  }
  return exitCode;
}

/**
 * Ctrl-C and a closed pipe end the command at once. Exit hooks release the deployment lock and stop
 * provider processes; operations in flight stay pending in state and the next run reconciles them.
 */
function installExitHandlers(argv: readonly string[]): void {
  // Servers (`agent provider NAME`, `agent mcp`) run until their client goes away and handle their own signals.
  if (argv[0] === "provider" || argv[0] === "mcp") return;
  // `on`, not `once`: a second Ctrl-C while the first is exiting must not fall back to a hard kill.
  process.on("SIGINT", () => {
    process.stderr.write(
      "\nInterrupted. Changes in flight stay pending in state; the next run reconciles them.\n",
    );
    process.exit(130);
  });
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
  });
}

async function main(argv: string[]): Promise<void> {
  installExitHandlers(argv);
  let json = argv.includes("--json");
  let code: number;
  try {
    const parsed = parseCommandLine(argv);
    json = parsed.global.json;
    code = await run(parsed);
  } catch (error) {
    code = reportError(error, json);
  }
  if (code >= 0) {
    process.exitCode = code;
    // Providers and timers must not keep a finished command alive.
    setTimeout(() => process.exit(code), 50).unref();
  }
}

await main(process.argv.slice(2));
