import type { RunEvent } from "../agent/events.ts";
import { DOING, eventLines, seconds, type TextEvent, type TextLine } from "./event-text.ts";
import { renderPlan } from "./render-plan.ts";
import { type Paint, painter } from "./style.ts";

/** Lines a quiet (very large) apply leaves out. */
const QUIET_HIDES = new Set<RunEvent["type"]>([
  "change.started",
  "change.progress",
  "change.succeeded",
  "change.skipped",
  "check.passed",
]);

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
    if (event.type === "plan.ready") {
      this.line(renderPlan(event.plan, this.#paint));
      this.line();
      return;
    }
    const elapsedMs = this.#track(event);
    // Past the threshold only failures and totals print; the start line says so.
    if ((event.type === "apply.started" || event.type === "destroy.started") && !this.#quiet) return;
    if (this.#quiet && QUIET_HIDES.has(event.type)) return;
    const context = elapsedMs === undefined ? {} : { elapsedMs };
    for (const line of eventLines(event, "terminal", context)) this.line(this.#painted(line));
  };

  /** Keeps the running changes and the ticker; returns how long the event's change has run. */
  #track(event: TextEvent): number | undefined {
    switch (event.type) {
      case "apply.started":
      case "destroy.started":
        this.#quiet = event.total > this.#quietAbove;
        if (this.#out.isTTY && !this.#ticker) {
          this.#ticker = setInterval(() => this.#still(), 10_000);
          this.#ticker.unref();
        }
        return undefined;
      case "change.started":
        this.#running.set(event.name, { action: event.action, since: Date.now() });
        return undefined;
      case "change.progress":
      case "change.succeeded": {
        const started = this.#running.get(event.name);
        if (event.type === "change.succeeded") this.#running.delete(event.name);
        return started ? Date.now() - started.since : undefined;
      }
      case "change.failed":
        this.#running.delete(event.name);
        return undefined;
      case "apply.finished":
      case "destroy.finished":
        this.#stopTicker();
        return undefined;
      default:
        return undefined;
    }
  }

  #painted(line: TextLine): string {
    return line.map((span) => (span.tone ? this.#paint(span.tone, span.text) : span.text)).join("");
  }

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
