import { readFileSync } from "node:fs";

/**
 * The kernel's start time of a process (Linux /proc), so that a recorded pid is not mistaken for a
 * new process that happens to reuse it. Undefined where /proc is not available.
 */
export function processStartTime(pid: number): string | undefined {
  const fields = statFields(pid);
  return Array.isArray(fields) ? fields[19] : undefined;
}

/** Whether the process is running: it exists, is not a zombie, and (when known) started when recorded. */
export function processAlive(pid: number, startTime?: string): boolean {
  const fields = statFields(pid);
  if (fields === "gone") return false;
  if (fields) {
    if (fields[0] === "Z" || fields[0] === "X") return false;
    return startTime === undefined || fields[19] === startTime;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether any process of the group is still there. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * The fields of /proc/PID/stat after the command name ([0] the state, [19] the start time), "gone"
 * when Linux has no such process, undefined where there is no /proc to ask.
 */
function statFields(pid: number): string[] | "gone" | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text
      .slice(text.lastIndexOf(")") + 2)
      .trim()
      .split(" ");
  } catch {
    return process.platform === "linux" ? "gone" : undefined;
  }
}
