import type { RunEvent } from "../agent/events.ts";
import { renderPlan } from "./render-plan.ts";
import { type Paint, painter } from "./style.ts";

const DOING = {
  create: "Creating",
  update: "Modifying",
  replace: "Replacing",
  delete: "Destroying",
  noop: "Reading",
} as const;
const DONE = {
  create: "Creation",
  update: "Modifications",
  replace: "Replacement",
  delete: "Destruction",
  noop: "Read",
} as const;

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Human output for a run: one line per step as it happens, and on a terminal a "still …" line
 * every ten seconds for what is still running, as Terraform does.
 */
export class HumanPrinter {
  readonly #out: NodeJS.WriteStream;
  readonly #paint: Paint;
  readonly #running = new Map<string, { action: keyof typeof DOING; since: number }>();
  #ticker: NodeJS.Timeout | undefined;
  /** Printing every change of a huge apply helps nobody; past this, only failures and totals. */
  readonly #quietAbove: number;
  #quiet = false;

  constructor(out: NodeJS.WriteStream = process.stdout, options: { quietAbove?: number } = {}) {
    this.#out = out;
    this.#paint = painter(out);
    this.#quietAbove = options.quietAbove ?? 500;
  }

  line(text = ""): void {
    this.#out.write(`${text}\n`);
  }

  readonly handle = (event: RunEvent): void => {
    const paint = this.#paint;
    switch (event.type) {
      case "run.started":
        break;
      case "notice":
        this.line(event.level === "warn" ? paint("yellow", `Warning: ${event.message}`) : event.message);
        break;
      case "reconcile.started":
        this.line(
          paint("yellow", `Reconciling ${event.pending} operation(s) left pending by an interrupted run…`),
        );
        break;
      case "reconcile.resolved":
        this.line(`  ${event.name} (${event.action}): ${event.outcome}`);
        break;
      case "plan.ready":
        this.line(renderPlan(event.plan, paint));
        this.line();
        break;
      case "apply.started":
        this.#quiet = event.total > this.#quietAbove;
        if (this.#quiet)
          this.line(
            `Applying ${event.total} changes (parallelism ${event.parallelism}); printing failures only…`,
          );
        if (this.#out.isTTY && !this.#ticker) {
          this.#ticker = setInterval(() => this.#still(), 10_000);
          this.#ticker.unref();
        }
        break;
      case "change.started":
        this.#running.set(event.name, { action: event.action, since: Date.now() });
        if (!this.#quiet) {
          this.line(
            event.attempt > 1
              ? `${paint("bold", event.name)}: ${DOING[event.action]}… (attempt ${event.attempt})`
              : `${paint("bold", event.name)}: ${DOING[event.action]}…`,
          );
        }
        break;
      case "change.progress": {
        const started = this.#running.get(event.name);
        const elapsed = started ? ` [${seconds(Date.now() - started.since)} elapsed]` : "";
        if (!this.#quiet) this.line(paint("dim", `${event.name}: ${event.message}${elapsed}`));
        break;
      }
      case "change.retrying":
        this.line(
          paint(
            "yellow",
            `${event.name}: ${event.error.code}: ${event.error.message}; retrying in ${seconds(event.delayMs)}`,
          ),
        );
        break;
      case "change.succeeded": {
        const started = this.#running.get(event.name);
        this.#running.delete(event.name);
        if (!this.#quiet) {
          const elapsed = started ? Date.now() - started.since : event.durationMs;
          this.line(
            `${paint("bold", event.name)}: ${DONE[event.action]} complete after ${seconds(elapsed)}${event.id && event.action !== "delete" ? paint("dim", ` [id=${event.id}]`) : ""}`,
          );
        }
        break;
      }
      case "change.failed":
        this.#running.delete(event.name);
        this.line(paint("red", `Error: ${event.name}: ${event.error.code}: ${event.error.message}`));
        break;
      case "change.skipped":
        if (!this.#quiet) this.line(paint("dim", `${event.name}: skipped (${event.reason})`));
        break;
      case "check.passed":
        if (!this.#quiet) this.line(paint("dim", `${event.name}: check passed: ${event.check}`));
        break;
      case "check.failed":
        this.line(paint("red", `${event.name}: check failed: ${event.check}: ${event.message}`));
        break;
      case "rollback.started":
        this.line(paint("yellow", `Rolling back ${event.changes} change(s) of this run (${event.reason})…`));
        break;
      case "rollback.change":
        this.line(
          event.status === "succeeded"
            ? `  ${event.name}: ${event.action} done`
            : paint("red", `  ${event.name}: ${event.action} failed: ${event.error ?? ""}`),
        );
        break;
      case "rollback.finished":
        this.line(
          event.ok
            ? paint("yellow", "Rollback complete.")
            : paint("red", "Rollback incomplete: state records what remains."),
        );
        break;
      case "apply.finished":
        this.#stopTicker();
        this.line();
        if (event.outcome === "succeeded") {
          this.line(
            paint("green", `Apply complete! ${event.succeeded} change(s) in ${seconds(event.durationMs)}.`),
          );
        } else {
          this.line(
            paint(
              "red",
              `Apply ${event.outcome === "rolled-back" ? "failed and was rolled back" : "failed"}: ${event.succeeded} succeeded, ${event.failed} failed, ${event.skipped} skipped.`,
            ),
          );
        }
        break;
      case "drift":
        this.line(
          event.kind === "deleted"
            ? paint("red", `${event.name}: deleted outside mcp-iac`)
            : paint("yellow", `${event.name}: changed outside mcp-iac (${event.paths.join(", ")})`),
        );
        break;
      case "planner.selected":
        this.line(paint("cyan", event.description));
        break;
      case "planner.understood":
        this.line(event.summary);
        break;
      case "planner.submission":
        if (event.errors > 0) {
          this.line(
            paint(
              "yellow",
              `Submission ${event.attempt} has ${event.errors} problem(s); sent back to the model:`,
            ),
          );
          for (const message of event.messages.slice(0, 8)) this.line(paint("dim", `  - ${message}`));
        } else {
          this.line(paint("dim", `Submission ${event.attempt} accepted.`));
        }
        break;
      case "model.call":
        this.line(
          paint(
            "dim",
            `model ${event.provider}:${event.model} (${event.purpose}) ${seconds(event.latencyMs)}, ${event.inputTokens} in (${event.cachedInputTokens} cached) / ${event.outputTokens} out`,
          ),
        );
        break;
      case "spec.ready":
        this.line(
          `Spec ${paint("bold", event.deployment)}: ${event.resources} resource(s) (${event.source}).`,
        );
        break;
      case "policy.findings": {
        if (event.findings.length === 0) {
          this.line(paint("green", `Policies (${event.stage}): no findings.`));
          break;
        }
        for (const finding of event.findings) {
          const level =
            finding.enforcement === "mandatory" ? paint("red", "MANDATORY") : paint("yellow", "advisory ");
          const where = [finding.resource, finding.path].filter(Boolean).join(": ");
          this.line(`${level} ${finding.policy}${where ? ` ${where}` : ""}: ${finding.message}`);
        }
        if (event.blocked) this.line(paint("red", `Blocked by mandatory policy (${event.stage}).`));
        break;
      }
      case "recovery.decision":
        this.line(
          paint("yellow", `Recovery ${event.attempt} (${event.by}): ${event.action} — ${event.reason}`),
        );
        break;
      case "memory.saved":
        this.line(
          paint(
            "dim",
            `Remembered this deployment as pattern ${event.patternId}${event.lessons ? ` with ${event.lessons} lesson(s)` : ""}.`,
          ),
        );
        break;
      case "memory.reused":
        this.line(
          `Reusing remembered pattern ${event.patternId} (similarity ${event.score.toFixed(2)}) from: "${event.goal}"`,
        );
        break;
      case "planner.tool":
      case "planner.nudge":
      case "recovery.nudge":
        // The model's look-ups and nudges are for --json and the eval records, not the terminal.
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
      }
    }
  };

  #still(): void {
    const now = Date.now();
    for (const [name, entry] of this.#running) {
      this.line(
        this.#paint(
          "dim",
          `${name}: Still ${DOING[entry.action].toLowerCase()}… [${seconds(now - entry.since)} elapsed]`,
        ),
      );
    }
  }

  #stopTicker(): void {
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  close(): void {
    this.#stopTicker();
  }
}
