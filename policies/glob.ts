const cache = new Map<string, RegExp>();

/**
 * Shell-style glob on whole strings: `*` is any run of characters (`:` and `/` included, so
 * `opnsense:*` covers every OPNsense type), `?` is one character; everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let found = cache.get(glob);
  if (!found) {
    const body = glob
      .split("")
      .map((char) => (char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
      .join("");
    found = new RegExp(`^${body}$`, "s");
    cache.set(glob, found);
  }
  return found;
}

export function matchesGlob(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}

export function isGlob(text: string): boolean {
  return text.includes("*") || text.includes("?");
}
