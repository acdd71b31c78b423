import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** The repository root, with "/" separators in every path this module returns. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

const posix = (path: string) => path.split(sep).join("/");

/**
 * Product code: exactly what `npm run build` compiles (tsconfig.build.json's include and exclude),
 * so tests, fixtures, test kits and shared suites are left out the same way the package leaves them.
 */
export function productFiles(): string[] {
  const configPath = join(ROOT, "tsconfig.build.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, configPath);
  return parsed.fileNames
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".d.ts"))
    .map((file) => posix(relative(ROOT, file)))
    .sort();
}

export function parse(file: string): ts.SourceFile {
  const text = readFileSync(join(ROOT, file), "utf8");
  return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file));
}

function scriptKind(file: string): ts.ScriptKind {
  return file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

export interface ImportEdge {
  /** As written: "ink", "../protocol/index.ts". */
  specifier: string;
  /** Repository-relative path for a relative import, undefined for a package. */
  target: string | undefined;
  /** `import type` / `export type`: erased at run time, so it cannot close a load-order cycle. */
  typeOnly: boolean;
  line: number;
}

/** Every static import, re-export and literal dynamic import of a file. */
export function importsOf(file: string, source: ts.SourceFile = parse(file)): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const add = (literal: ts.Expression, typeOnly: boolean) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const specifier = literal.text;
    const target = specifier.startsWith(".")
      ? posix(relative(ROOT, resolve(ROOT, dirname(file), specifier)))
      : undefined;
    const line = source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1;
    edges.push({ specifier, target, typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, isTypeOnlyImport(node));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument) add(argument, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function isTypeOnlyImport(node: ts.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}
