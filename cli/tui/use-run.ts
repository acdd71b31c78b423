import React from "react";
import type { Plan } from "../../agent/engine/plan-types.ts";
import { errorEntries, outcomeEntries } from "./outcome.ts";
import type { RunHooks, TuiSession } from "./session.ts";
import type { SlashWork } from "./slash-commands.ts";
import { initialTranscript, type NewEntry, type Transcript, transcriptReducer } from "./transcript.ts";

export interface RunControls {
  transcript: Transcript;
  /** A goal is being worked on (planning, waiting for approval or applying). */
  busy: boolean;
  /** The plan the run waits to have approved, if it waits. */
  approval: Plan | undefined;
  start(goal: string): void;
  /** Runs other work (a /destroy) as a goal runs: busy, its plan approved through the prompt. */
  startWork(label: string, work: SlashWork): void;
  answer(approved: boolean): void;
  /**
   * Ctrl-C during a run: the run starts nothing new, lets what is in flight finish, and ends
   * "cancelled"; the prompt comes back. False when nothing runs or it was already cancelled.
   */
  cancel(): boolean;
  say(entries: NewEntry[]): void;
  clear(): void;
}

type Say = (entries: NewEntry[]) => void;

/** The approval prompt: a run's question waits here until answered (or the screen goes away). */
function useApproval(session: TuiSession, say: Say) {
  const [approval, setApproval] = React.useState<Plan | undefined>(undefined);
  const pending = React.useRef<((approved: boolean) => void) | undefined>(undefined);
  // A screen that goes away approves nothing: a run still waiting is declined.
  React.useEffect(
    () => () => {
      const resolve = pending.current;
      pending.current = undefined;
      resolve?.(false);
    },
    [],
  );
  const approve = React.useCallback(
    (plan: Plan) => {
      if (session.autoApprove) {
        say([{ kind: "line", text: "Approved by --yes.", tone: "gray" }]);
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        pending.current = resolve;
        setApproval(plan);
      });
    },
    [session, say],
  );
  const answer = React.useCallback(
    (approved: boolean) => {
      const resolve = pending.current;
      if (!resolve) return;
      pending.current = undefined;
      setApproval(undefined);
      say([
        approved
          ? { kind: "line", text: "Approved.", tone: "green" }
          : { kind: "line", text: "Declined: nothing will be applied.", tone: "yellow" },
      ]);
      resolve(approved);
    },
    [say],
  );
  const settle = React.useCallback(() => {
    pending.current = undefined;
    setApproval(undefined);
  }, []);
  return { approval, approve, answer, settle };
}

/** Adapts `runGoal`'s events and approval requests into React state: one run at a time. */
export function useRun(session: TuiSession): RunControls {
  const [transcript, dispatch] = React.useReducer(transcriptReducer, session.planner, initialTranscript);
  const [busy, setBusy] = React.useState(false);
  const running = React.useRef(false);
  const controller = React.useRef<AbortController | undefined>(undefined);
  const say = React.useCallback((entries: NewEntry[]) => dispatch({ type: "append", entries }), []);
  const { approval, approve, answer, settle } = useApproval(session, say);

  const startWork = React.useCallback(
    (label: string, work: SlashWork) => {
      // A ref, not the state: two Enters in one tick must not start two runs.
      if (running.current) return;
      running.current = true;
      controller.current = new AbortController();
      setBusy(true);
      dispatch({ type: "append", entries: [{ kind: "goal", text: label }] });
      const hooks: RunHooks = {
        approve,
        onEvent: (event) => dispatch({ type: "event", event }),
        signal: controller.current.signal,
      };
      work(hooks)
        .then((entries) => dispatch({ type: "append", entries }))
        .catch((error: unknown) => dispatch({ type: "append", entries: errorEntries(error) }))
        .finally(() => {
          settle();
          running.current = false;
          controller.current = undefined;
          dispatch({ type: "run.ended" });
          setBusy(false);
        });
    },
    [approve, settle],
  );

  const cancel = React.useCallback(() => {
    const current = controller.current;
    if (!current || current.signal.aborted) return false;
    current.abort();
    say([
      {
        kind: "line",
        text: "Cancelling: nothing new starts; what is in flight finishes and is recorded in state.",
        tone: "yellow",
      },
    ]);
    return true;
  }, [say]);

  const start = React.useCallback(
    (goal: string) =>
      startWork(goal, async (hooks) => outcomeEntries(await session.runGoal(goal, hooks as RunHooks))),
    [session, startWork],
  );

  const clear = React.useCallback(() => dispatch({ type: "clear" }), []);

  return { transcript, busy, approval, start, startWork, answer, cancel, say, clear };
}
