// The API server's request metrics as the scale and rolling-update benchmarks read them from /metrics: the
// apiserver_request_duration_seconds histogram summed over the series of some verbs, differences between two
// scrapes, the bucket that holds a quantile, and sums of apiserver_request_total.

/** A cumulative histogram: counts[i] requests took at most bounds[i] seconds; `count` is the +Inf bucket. */
export interface DurationHistogram {
  bounds: number[];
  counts: number[];
  count: number;
  sum: number;
}

/** The verbs of upstream's mutating-call latency SLO. */
export const mutatingVerbs: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * A verb label as upstream writes it: kube-apiserver labels creates POST and updates PUT (the route's HTTP verb);
 * a server that labels them with the request's verb (CREATE, UPDATE) is read the same.
 */
export function metricVerb(label: string): string {
  return label === 'CREATE' ? 'POST' : label === 'UPDATE' ? 'PUT' : label;
}

/** The labels of one Prometheus sample line, `{a="x",b="y"}` (escapes \\, \" and \n undone). */
export function parseLabels(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  const re = /(\w+)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = (m[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    labels.set(m[1] ?? '', value);
  }
  return labels;
}

interface Sample {
  name: string;
  labels: Map<string, string>;
  value: number;
}

function* samples(metricsText: string, prefix: string): Generator<Sample> {
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const open = line.indexOf('{');
    const close = line.lastIndexOf('}');
    if (open < 0 || close < open) continue;
    yield { name: line.slice(0, open), labels: parseLabels(line.slice(open + 1, close)), value: Number(line.slice(close + 1).trim()) };
  }
}

/** apiserver_request_duration_seconds summed over every series whose verb is one of `verbs`. */
export function requestDurationHistogram(metricsText: string, verbs: readonly string[] = mutatingVerbs): DurationHistogram {
  const byBound = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const s of samples(metricsText, 'apiserver_request_duration_seconds_')) {
    if (!verbs.includes(metricVerb(s.labels.get('verb') ?? ''))) continue;
    if (s.name === 'apiserver_request_duration_seconds_bucket') {
      const le = s.labels.get('le') ?? '';
      if (le === '+Inf') continue;
      const bound = Number(le);
      byBound.set(bound, (byBound.get(bound) ?? 0) + s.value);
    } else if (s.name === 'apiserver_request_duration_seconds_count') count += s.value;
    else if (s.name === 'apiserver_request_duration_seconds_sum') sum += s.value;
  }
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  return { bounds, counts: bounds.map((b) => byBound.get(b) ?? 0), count, sum };
}

/** The requests observed between two scrapes of the same server (`before` earlier than `after`). */
export function histogramDelta(after: DurationHistogram, before: DurationHistogram): DurationHistogram {
  const earlier = new Map(before.bounds.map((b, i) => [b, before.counts[i] ?? 0]));
  return {
    bounds: [...after.bounds],
    counts: after.bounds.map((b, i) => (after.counts[i] ?? 0) - (earlier.get(b) ?? 0)),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/**
 * The upper bound (seconds) of the first bucket holding at least q (0 < q <= 1) of the requests: the quantile is at
 * most that. Infinity when only the +Inf bucket does; NaN without requests.
 */
export function quantileBucket(h: DurationHistogram, q: number): number {
  if (h.count <= 0) return Number.NaN;
  const need = q * h.count;
  for (let i = 0; i < h.bounds.length; i++) if ((h.counts[i] ?? 0) >= need) return h.bounds[i] ?? Number.NaN;
  return Number.POSITIVE_INFINITY;
}

/** The sum of apiserver_request_total over the series whose labels all match `match` (verbs as metricVerb reads them). */
export function requestTotal(metricsText: string, match: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const s of samples(metricsText, 'apiserver_request_total{')) {
    if (Object.entries(match).every(([k, v]) => (k === 'verb' ? metricVerb(s.labels.get(k) ?? '') : s.labels.get(k)) === v)) total += s.value;
  }
  return total;
}
