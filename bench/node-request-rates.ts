// Which API requests a node makes while it idles: apiserver_request_total from two /metrics scrapes, differenced and
// grouped by verb, resource and subresource (the node agent's kubelet and status loop are API clients of the same
// process, so their requests are part of k8ts's CPU).

/** apiserver_request_total by its label set, from Prometheus text. */
export function requestTotals(metrics: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    const m = /^apiserver_request_total\{(.*)\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out.set(m[1], Number(m[2]));
  }
  return out;
}

function label(labels: string, name: string): string {
  return new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels)?.[1] ?? '';
}

/** The requests between two scrapes grouped as "VERB resource[/subresource]", most first. */
export function requestRates(before: Map<string, number>, after: Map<string, number>): { request: string; count: number }[] {
  const grouped = new Map<string, number>();
  for (const [labels, v] of after) {
    const d = v - (before.get(labels) ?? 0);
    if (d <= 0) continue;
    const sub = label(labels, 'subresource');
    const key = `${label(labels, 'verb')} ${label(labels, 'resource')}${sub !== '' ? `/${sub}` : ''}`;
    grouped.set(key, (grouped.get(key) ?? 0) + d);
  }
  return [...grouped].map(([request, count]) => ({ request, count })).sort((a, b) => b.count - a.count || a.request.localeCompare(b.request));
}
