/** Edit distance (insert, delete, substitute), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, index) => index);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[y.length]!;
}

/**
 * The known name a mistyped one most likely meant: one contains the other (`restartPolicy` →
 * `restart`), or a few edits apart (`imgae` → `image`). undefined when nothing is close.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const contains = other.length >= 3 && (lower.includes(other) || other.includes(lower));
    const score = contains ? Math.abs(lower.length - other.length) / 100 : distance(name, candidate);
    const limit = Math.max(2, Math.floor(Math.max(name.length, candidate.length) / 3));
    if (!contains && score > limit) continue;
    if (!best || score < best.score) best = { candidate, score };
  }
  return best?.candidate;
}
