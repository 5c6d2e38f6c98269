// Which of a cluster's nodes are Ready, from a NodeList as the API serves it (the Ready condition's status "True").

export interface NodeReadiness {
  /** Names of the expected nodes whose Ready condition is True. */
  readonly ready: string[];
  /** The others: not registered yet, or not Ready. */
  readonly notReady: string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readyNames(list: unknown): Set<string> {
  const out = new Set<string>();
  const items = isRecord(list) && Array.isArray(list['items']) ? (list['items'] as unknown[]) : [];
  for (const node of items) {
    if (!isRecord(node) || !isRecord(node['metadata']) || !isRecord(node['status'])) continue;
    const name = node['metadata']['name'];
    const conditions = node['status']['conditions'];
    if (typeof name !== 'string' || !Array.isArray(conditions)) continue;
    if (conditions.some((c: unknown) => isRecord(c) && c['type'] === 'Ready' && c['status'] === 'True')) out.add(name);
  }
  return out;
}

/** The expected nodes, split by readiness, each list in the order of `expected`. */
export function nodeReadiness(nodeList: unknown, expected: readonly string[]): NodeReadiness {
  const ready = readyNames(nodeList);
  return { ready: expected.filter((n) => ready.has(n)), notReady: expected.filter((n) => !ready.has(n)) };
}
