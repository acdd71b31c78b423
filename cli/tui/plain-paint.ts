import type { Paint } from "../style.ts";

/** render-plan's painter without colour: Ink's <Text> colours the TUI, not ANSI codes in strings. */
export const plainPaint: Paint = (_style, text) => text;
