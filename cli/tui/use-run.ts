import React from "react";
import type { Plan } from "../../agent/engine/plan-types.ts";
import { errorEntries, outcomeEntries } from "./outcome.ts";
import type { TuiSession } from "./session.ts";
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
  say(entries: NewEntry[]): void;
  clear(): void;
}

/** Adapts `runGoal`'s events and approval requests into React state: one run at a time. */
export function useRun(session: TuiSession): RunControls {
  const [transcript, dispatch] = React.useReducer(transcriptReducer, session.planner, initialTranscript);
  const [busy, setBusy] = React.useState(false);
  const [approval, setApproval] = React.useState<Plan | undefined>(undefined);
  const pending = React.useRef<((approved: boolean) => void) | undefined>(undefined);
  const running = React.useRef(false);

  // A screen that goes away approves nothing: a run still waiting is declined.
  React.useEffect(
    () => () => {
      const resolve = pending.current;
      pending.current = undefined;
      resolve?.(false);
    },
    [],
  );

  const say = React.useCallback((entries: NewEntry[]) => dispatch({ type: "append", entries }), []);

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

  const startWork = React.useCallback(
    (label: string, work: SlashWork) => {
      // A ref, not the state: two Enters in one tick must not start two runs.
      if (running.current) return;
      running.current = true;
      setBusy(true);
      dispatch({ type: "append", entries: [{ kind: "goal", text: label }] });
      const go = async () => {
        try {
          const entries = await work({ approve, onEvent: (event) => dispatch({ type: "event", event }) });
          dispatch({ type: "append", entries });
        } catch (error) {
          dispatch({ type: "append", entries: errorEntries(error) });
        } finally {
          pending.current = undefined;
          running.current = false;
          setApproval(undefined);
          dispatch({ type: "run.ended" });
          setBusy(false);
        }
      };
      void go();
    },
    [approve],
  );

  const start = React.useCallback(
    (goal: string) => startWork(goal, async (hooks) => outcomeEntries(await session.runGoal(goal, hooks))),
    [session, startWork],
  );

  const clear = React.useCallback(() => dispatch({ type: "clear" }), []);

  return { transcript, busy, approval, start, startWork, answer, say, clear };
}
