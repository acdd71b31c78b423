import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];

/** Colour only where a person reads a terminal and has not asked for none (NO_COLOR). */
export function painter(stream: NodeJS.WriteStream) {
  const enabled = Boolean(stream.isTTY) && !process.env["NO_COLOR"] && process.env["TERM"] !== "dumb";
  return (style: Style, text: string) => (enabled ? styleText(style, text, { validateStream: false }) : text);
}

export type Paint = ReturnType<typeof painter>;
