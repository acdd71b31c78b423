import { render } from "ink";
import React from "react";
import type { GlobalFlags } from "../args.ts";
import { App, INTERRUPTED } from "./app.ts";
import { openSession } from "./session.ts";

export { App, INTERRUPTED } from "./app.ts";
export type { TuiSession } from "./session.ts";
export { openSession } from "./session.ts";

/**
 * `agent` with no arguments on a terminal: the chat. Resolves with the exit code once the person
 * leaves (0), or INTERRUPTED (130) when they leave mid-run — then the CLI's exit hooks release the
 * lock and stop the providers, and what was in flight stays pending in state for the next run.
 */
export async function runTui(options: { global: GlobalFlags }): Promise<number> {
  const session = await openSession({ global: options.global });
  let code = 0;
  const instance = render(
    React.createElement(App, {
      session,
      onExit: (exitCode: number) => {
        code = exitCode;
        instance.unmount();
      },
    }),
    { exitOnCtrlC: false },
  );
  await instance.waitUntilExit();
  if (code === INTERRUPTED) {
    process.stderr.write(
      "Interrupted. Changes in flight stay pending in state; the next run reconciles them.\n",
    );
    return code;
  }
  await session.close();
  return code;
}
