import { createInterface } from "node:readline/promises";
import { IacError } from "../agent/errors.ts";

/** Where a question is asked: the process's terminal unless a caller (a test) passes other streams. */
export interface PromptIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

const TERMINAL: PromptIo = { stdin: process.stdin, stderr: process.stderr };

/** One way to approve everywhere (the CLI and the chat): y or yes, in any case. */
export function isYes(answer: string): boolean {
  return /^y(es)?$/i.test(answer.trim());
}

async function ask(question: string, io: PromptIo): Promise<string> {
  const prompt = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
}

/** Asks on the terminal; without one, approval must come from --yes. */
export async function askYes(question: string, yes: boolean, io: PromptIo = TERMINAL): Promise<boolean> {
  if (yes) return true;
  if (!io.stdin.isTTY) {
    throw new IacError("NOT_APPROVED", "no terminal to ask for approval, and --yes was not given", {
      exitCode: 4,
      hint: "review the plan (`agent plan -f FILE`), then run again with --yes",
    });
  }
  return isYes(
    await ask(`${question}\n  y or yes approves; anything else declines.\n\n  Enter a value: `, io),
  );
}

/**
 * Asks which of `choices` to take (a word or its first letter, in any case); anything else is the
 * last choice, the one that changes nothing. The caller checks there is a terminal.
 */
export async function askChoice<const T extends string>(
  question: string,
  choices: readonly [T, ...T[]],
  io: PromptIo = TERMINAL,
): Promise<T> {
  const answer = (await ask(`${question}\n  ${choices.join(" / ")}: `, io)).trim().toLowerCase();
  const fallback = choices[choices.length - 1] as T;
  if (!answer) return fallback;
  return choices.find((choice) => choice === answer || choice[0] === answer) ?? fallback;
}
