import { createInterface } from "node:readline/promises";
import { IacError } from "../agent/errors.ts";

/** One way to approve everywhere (the CLI and the chat): y or yes, in any case. */
export function isYes(answer: string): boolean {
  return /^y(es)?$/i.test(answer.trim());
}

/** Asks on the terminal; without one, approval must come from --yes. */
export async function askYes(question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) {
    throw new IacError("NOT_APPROVED", "no terminal to ask for approval, and --yes was not given", {
      exitCode: 4,
      hint: "review the plan (`agent plan -f FILE`), then run again with --yes",
    });
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `${question}\n  y or yes approves; anything else declines.\n\n  Enter a value: `,
    );
    return isYes(answer);
  } finally {
    prompt.close();
  }
}
