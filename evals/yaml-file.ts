import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { EvalCaseError } from "./case-error.ts";

/** A YAML file as plain data; unreadable or malformed, an EvalCaseError naming the line. */
export function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new EvalCaseError(file, [
      { path: "", message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` },
    ]);
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new EvalCaseError(
      file,
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        return {
          path: position ? `line ${position.line}, column ${position.col}` : "",
          message: error.message.split("\n")[0] ?? error.message,
        };
      }),
    );
  }
  return document.toJS({ maxAliasCount: 100 });
}
