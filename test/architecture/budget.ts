import { readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { parse, ROOT } from "./source-files.ts";

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 80;

/**
 * Source the budget covers: every TypeScript file the project's tsconfig.json compiles, except tests
 * (`*.test.ts(x)`, the test/ folder) and declaration files.
 */
export function budgetedFiles(): string[] {
  const configPath = join(ROOT, "tsconfig.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, configPath);
  return parsed.fileNames
    .map((file) => relative(ROOT, file).split(sep).join("/"))
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".d.ts"))
    .filter((file) => !/\.test\.tsx?$/.test(file) && !file.startsWith("test/"))
    .sort();
}

export function lineCount(file: string): number {
  const text = readFileSync(join(ROOT, file), "utf8");
  return text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
}

export interface FunctionSize {
  /** `outer/inner` names, e.g. `createStore/search`, `FileStore.close`; `#2` tells same-named ones apart. */
  name: string;
  lines: number;
}

/** Every function with a body (declarations, methods, accessors, arrows, expressions), outermost first. */
export function functionSizes(file: string, source: ts.SourceFile = parse(file)): FunctionSize[] {
  const sizes: FunctionSize[] = [];
  const seen = new Map<string, number>();
  const visit = (node: ts.Node, path: string[]): void => {
    let inner = path;
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const base = [...path, nameOf(node, source)].join("/").replace(/\.\//g, ".");
      const count = (seen.get(base) ?? 0) + 1;
      seen.set(base, count);
      const name = count === 1 ? base : `${base}#${count}`;
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      sizes.push({ name, lines: end - start + 1 });
      inner = [...path, nameOf(node, source)];
    } else if (ts.isClassLike(node)) {
      // "Box." so that members read `Box.open`.
      inner = [...path, `${node.name?.text ?? "<class>"}.`];
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(source, []);
  return sizes;
}

function nameOf(node: ts.SignatureDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText(source);
  const holder = holderName(node, source);
  const what = ts.isCallExpression(parent)
    ? `<callback of ${callee(parent.expression, source)}>`
    : "<anonymous>";
  return holder ? `${holder}:${what}` : what;
}

/** The variable or property a callback's value ends up in (`conditionSchema = z.lazy(() => …)`). */
function holderName(node: ts.Node, source: ts.SourceFile): string | undefined {
  for (let current = node.parent; !ts.isSourceFile(current); current = current.parent) {
    if (ts.isFunctionLike(current) || ts.isBlock(current)) return undefined;
    if (ts.isVariableDeclaration(current) || ts.isPropertyAssignment(current))
      return current.name.getText(source);
  }
  return undefined;
}

function callee(expression: ts.Expression, source: ts.SourceFile): string {
  const text = expression.getText(source);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
