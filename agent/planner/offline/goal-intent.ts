/**
 * What a goal asks beyond "build this": verbs the offline planner must not invert (a "destroy"
 * planned as creates), parts the goal excludes ("but no database"), and wishes it will not honour
 * (a public database), each said in the plan's notes rather than dropped in silence.
 */

const REMOVE =
  /^(?:please\s+|can you\s+|i want to\s+|i need to\s+)?(destroy|delete|remove|tear\s+down|teardown|decommission|uninstall|drop)\b/;
const CHANGE =
  /^(?:please\s+|can you\s+|i want to\s+|i need to\s+)?(scale|resize|change|modify|update|rename|shrink|grow)\b/;

/** A reason to decline, when the goal's verb asks for something other than building. */
export function verbProblem(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  const removal = REMOVE.exec(lower)?.[1];
  if (removal) {
    return `"${removal}" asks to take something away, and the offline planner only plans what to build; to remove a whole deployment run \`agent destroy NAME\` (/destroy NAME in the chat), to remove part of one edit its spec and \`agent apply -f FILE\``;
  }
  const change = CHANGE.exec(lower)?.[1];
  if (change) {
    return `"${change}" asks to change an existing deployment, which the offline planner does not do from words; edit its spec (\`agent state show NAME\` shows what it holds) and \`agent apply -f FILE\`, or describe the whole result with --name NAME`;
  }
  return undefined;
}

const EXCLUDABLE: { pattern: string; label: string }[] = [
  { pattern: "(?:postgres(?:ql)?\\s+|mysql\\s+|rds\\s+)?(?:database|db)", label: "a database" },
  { pattern: "(?:load[\\s-]?balanc(?:er|ing)|lb|haproxy)", label: "a load balancer" },
];

/** The goal less the parts it says to leave out, and a note for each. */
export function dropExcluded(goal: string): { goal: string; notes: string[] } {
  let kept = goal;
  const notes: string[] = [];
  for (const { pattern, label } of EXCLUDABLE) {
    const negated = new RegExp(
      `[,;]?\\s*\\b(?:but\\s+|and\\s+)?(?:no|without|not|minus|excluding)\\s+(?:an?\\s+|the\\s+|any\\s+)?${pattern}\\b`,
      "gi",
    );
    if (!negated.test(kept)) continue;
    kept = kept.replace(negated, " ");
    // The same thing named positively elsewhere in the goal goes too: the exclusion wins.
    kept = kept.replace(new RegExp(`\\b(?:and\\s+|with\\s+)?(?:an?\\s+|the\\s+)?${pattern}\\b`, "gi"), " ");
    notes.push(`left out: ${label} (the goal says not to have one)`);
  }
  return { goal: kept.replace(/\s+/g, " ").trim(), notes };
}

/** Wishes the plan does not carry out, named with why. */
export function unhonoured(text: string, blueprints: readonly string[]): string[] {
  const lower = text.toLowerCase();
  const notes: string[] = [];
  if (
    blueprints.includes("database") &&
    /\bpublic(?:ly)?(?:[\s-]+(?:accessible|reachable|access))?\b/.test(lower)
  ) {
    notes.push(
      "left out: public access to the database (the baseline policy forbids it); it stays private, reachable from the app's network",
    );
  }
  if (blueprints.includes("vlan-firewall") && /\bblock(?:ed|ing|s)?\b/.test(lower)) {
    notes.push(
      "no block rule written: the plan passes only the traffic it names, and OPNsense's default deny blocks the rest (including from the LAN)",
    );
  }
  return notes;
}
