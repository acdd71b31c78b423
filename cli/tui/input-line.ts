import { Text, useInput } from "ink";
import React from "react";

const h = React.createElement;

export interface InputLineProps {
  onSubmit(text: string): void;
  placeholder?: string;
}

/** A one-line editor: type, Backspace, Esc or Ctrl-U to clear, Enter to send. */
export function InputLine({ onSubmit, placeholder }: InputLineProps) {
  const [value, setState] = React.useState("");
  // Keys of one pasted chunk arrive before React re-renders; the ref always holds the latest text.
  const latest = React.useRef("");
  const setValue = (next: string) => {
    latest.current = next;
    setState(next);
  };
  const submit = () => {
    const text = latest.current.trim();
    setValue("");
    if (text) onSubmit(text);
  };
  useInput((input, key) => {
    if (key.return) {
      submit();
      return;
    }
    if (key.backspace || key.delete) {
      setValue(latest.current.slice(0, -1));
      return;
    }
    if (key.escape || (key.ctrl && input === "u")) {
      setValue("");
      return;
    }
    if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow)
      return;
    // Fast typing (or a slow link) can bring text and Enter in one chunk: a chunk ending in a line
    // break is sent; line breaks inside it become spaces, and control bytes go.
    const enter = /[\r\n]$/.test(input);
    const text = input
      .replace(/[\r\n]+$/, "")
      .replace(/\r\n|\r|\n/g, " ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control bytes is the point
      .replace(/[\u0000-\u001f\u007f]/g, "");
    if (text) setValue(latest.current + text);
    if (enter) submit();
  });
  return h(
    Text,
    null,
    h(Text, { color: "cyan", bold: true }, "› "),
    value,
    h(Text, { inverse: true }, " "),
    !value && placeholder ? h(Text, { color: "gray" }, ` ${placeholder}`) : null,
  );
}
