import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { IacError } from "../agent/errors.ts";
import { EvalCaseError } from "./case-error.ts";
import { type EvalCase, parseCase } from "./case-schema.ts";
import { readYaml } from "./yaml-file.ts";

export function loadCaseFile(file: string): EvalCase {
  return parseCase(readYaml(file), file);
}

export const CASES_DIR = fileURLToPath(new URL("./cases/", import.meta.url));

/** Every case of a folder (`NAME/case.yaml`), sorted by folder name; ids must be unique. */
export function loadCases(dir: string = CASES_DIR): EvalCase[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "case.yaml")))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new IacError(
      "EVAL_CASES_MISSING",
      `cannot read eval cases from ${dir}: ${(error as Error).message}`,
      { exitCode: 2 },
    );
  }
  const cases = names.map((name) => loadCaseFile(join(dir, name, "case.yaml")));
  const seen = new Map<string, string>();
  for (const evalCase of cases) {
    const earlier = seen.get(evalCase.id);
    if (earlier) {
      throw new EvalCaseError(evalCase.file, [
        { path: "id", message: `"${evalCase.id}" is already the id of ${earlier}` },
      ]);
    }
    seen.set(evalCase.id, evalCase.file);
  }
  return cases;
}
