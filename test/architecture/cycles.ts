/**
 * Strongly connected components of a directed graph (Tarjan), iteratively so a deep import chain
 * cannot overflow the stack. A component of more than one node, or a node importing itself, is a cycle.
 */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;

  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }];
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!graph.has(target)) continue;
        if (!index.has(target)) {
          enter(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) collect(frame.node, targets);
    }
  }
  return cycles;

  function enter(node: string): void {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
  }

  function collect(root: string, rootTargets: readonly string[]): void {
    const component: string[] = [];
    let node: string;
    do {
      node = stack.pop()!;
      onStack.delete(node);
      component.push(node);
    } while (node !== root);
    if (component.length > 1 || rootTargets.includes(root)) cycles.push(component.sort());
  }
}
