import { Box, Text, useInput, useStdout } from "ink";
import React from "react";
import { renderPlan } from "../render-plan.ts";
import { ApprovalPrompt } from "./approval-prompt.ts";
import { InputLine } from "./input-line.ts";
import { Log } from "./log.ts";
import { errorEntries } from "./outcome.ts";
import { plainPaint } from "./plain-paint.ts";
import { Progress } from "./progress.ts";
import type { TuiSession } from "./session.ts";
import { runSlashCommand } from "./slash-commands.ts";
import { useRun } from "./use-run.ts";

const h = React.createElement;

/** A second Ctrl-C during a run exits with the code a SIGINT gives. */
export const INTERRUPTED = 130;

export interface AppProps {
  session: TuiSession;
  /** The person wants to leave: 0, or INTERRUPTED when a run was still going. */
  onExit(code: number): void;
}

/**
 * Ctrl-C: idle, leave; while a run works, cancel it (the prompt comes back) and ask whether to
 * leave; at the approval prompt only ask (n is the way to stop there); asked already, leave (130).
 */
function useCtrlC(run: ReturnType<typeof useRun>, onExit: (code: number) => void): boolean {
  const [confirmingExit, setConfirming] = React.useState(false);
  // Read through a ref: a key pressed before the re-rendered handler is subscribed sees the truth.
  const confirming = React.useRef(false);
  const setConfirmingExit = React.useCallback((value: boolean) => {
    confirming.current = value;
    setConfirming(value);
  }, []);
  useInput((input, key) => {
    if (key.ctrl && input === "c") {
      if (!run.busy) onExit(0);
      else if (confirming.current) onExit(INTERRUPTED);
      else {
        if (!run.approval) run.cancel();
        setConfirmingExit(true);
      }
      return;
    }
    if (confirming.current) setConfirmingExit(false);
  });
  React.useEffect(() => {
    if (!run.busy) setConfirmingExit(false);
  }, [run.busy, setConfirmingExit]);

  return confirmingExit;
}

export function App({ session, onExit }: AppProps) {
  const run = useRun(session);
  const [goal, setGoal] = React.useState("");
  const { write } = useStdout();

  const confirmingExit = useCtrlC(run, onExit);
  const submit = (text: string) => {
    if (!text.startsWith("/")) {
      setGoal(text);
      run.start(text);
      return;
    }
    runSlashCommand(text, session).then(
      (action) => {
        if (action.type === "run") {
          run.startWork(text, action.work);
          return;
        }
        run.say([{ kind: "goal", text }]);
        if (action.type === "exit") onExit(0);
        else if (action.type === "say") run.say(action.entries);
        else {
          // Printed lines belong to the terminal; only clearing the screen takes them away.
          write("\u001b[2J\u001b[3J\u001b[H");
          run.clear();
        }
      },
      (error: unknown) => run.say(errorEntries(error)),
    );
  };

  const header = { where: session.where, planner: session.planner, stateStore: session.stateStore };
  const { transcript, approval } = run;
  return h(
    Box,
    { flexDirection: "column" },
    h(Log, { entries: transcript.entries, epoch: transcript.epoch, header }),
    run.busy && !approval ? h(Progress, { goal, running: transcript.running }) : null,
    approval
      ? h(ApprovalPrompt, {
          plan: approval,
          onAnswer: run.answer,
          onDetails: () =>
            run.say(
              renderPlan(approval, plainPaint)
                .split("\n")
                .map((text) => ({ kind: "line", text })),
            ),
        })
      : null,
    confirmingExit
      ? h(
          Text,
          { color: "yellow" },
          "A run is in progress. Press Ctrl-C again to exit: changes in flight stay pending in state and the next run reconciles them.",
        )
      : null,
    run.busy ? null : h(InputLine, { onSubmit: submit, placeholder: "Describe what to deploy, or /help" }),
  );
}
