import { cut } from "./errors.ts";

/** One problem found in a file or document: where (`path`, optionally a resource) and what. */
export interface Issue {
  resource?: string;
  /** Where inside the source, e.g. `rules[2].when` or `mcpServers.aws.url`; empty for the whole source. */
  path: string;
  message: string;
}

/** More issues than this are summed up in one line: a broken 10,000-line file must not flood the terminal. */
export const SHOWN_ISSUES = 50;

/** `resource: path: message`, each part cut short, empty parts left out. */
export function issueLine(issue: Issue): string {
  const where = [issue.resource, issue.path]
    .filter((part): part is string => Boolean(part))
    .map((part) => cut(part));
  return [...where, cut(issue.message, 400)].join(": ");
}

/** The issues as an indented bullet list, at most `SHOWN_ISSUES` of them. */
export function issueList(issues: readonly Issue[]): string {
  const lines = issues.slice(0, SHOWN_ISSUES).map((issue) => `  - ${issueLine(issue)}`);
  if (issues.length > SHOWN_ISSUES) lines.push(`  - … and ${issues.length - SHOWN_ISSUES} more`);
  return lines.join("\n");
}

/** "1 problem", "3 problems". */
export function problems(count: number): string {
  return `${count} problem${count === 1 ? "" : "s"}`;
}

/** `subject: the issue` for one, `subject has N problems:` and the list for more. */
export function renderIssues(subject: string, issues: readonly Issue[]): string {
  if (issues.length === 1) return `${subject}: ${issueLine(issues[0]!)}`;
  return `${subject} has ${problems(issues.length)}:\n${issueList(issues)}`;
}
