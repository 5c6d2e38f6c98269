// Prometheus metrics of the API server: apiserver_request_total and apiserver_request_duration_seconds.

const buckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export interface RequestLabels {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
}

export class ApiMetrics {
  private readonly totals = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly started = Date.now();

  observe(l: RequestLabels, code: number, seconds: number): void {
    const base = `component="apiserver",group="${esc(l.group)}",resource="${esc(l.resource)}",scope="${esc(l.scope)}",subresource="${esc(l.subresource)}",verb="${esc(l.verb)}",version="${esc(l.version)}"`;
    const totalKey = `code="${code}",${base}`;
    this.totals.set(totalKey, (this.totals.get(totalKey) ?? 0) + 1);
    if (l.verb === 'WATCH') return;
    let h = this.durations.get(base);
    if (h === undefined) {
      h = { counts: buckets.map(() => 0), sum: 0, count: 0 };
      this.durations.set(base, h);
    }
    for (let i = 0; i < buckets.length; i++) if (seconds <= (buckets[i] ?? 0)) h.counts[i] = (h.counts[i] ?? 0) + 1;
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.');
    lines.push('# TYPE apiserver_request_total counter');
    for (const [k, v] of [...this.totals].sort()) lines.push(`apiserver_request_total{${k}} ${v}`);
    lines.push('# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.');
    lines.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [k, h] of [...this.durations].sort(([a], [b]) => a.localeCompare(b))) {
      buckets.forEach((b, i) => lines.push(`apiserver_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i] ?? 0}`));
      lines.push(`apiserver_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      lines.push(`apiserver_request_duration_seconds_sum{${k}} ${h.sum}`);
      lines.push(`apiserver_request_duration_seconds_count{${k}} ${h.count}`);
    }
    const mem = process.memoryUsage();
    lines.push('# HELP process_resident_memory_bytes Resident memory size in bytes.');
    lines.push('# TYPE process_resident_memory_bytes gauge');
    lines.push(`process_resident_memory_bytes ${mem.rss}`);
    lines.push('# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.');
    lines.push('# TYPE process_start_time_seconds gauge');
    lines.push(`process_start_time_seconds ${Math.floor(this.started / 1000)}`);
    return `${lines.join('\n')}\n`;
  }
}

/** The verb label of upstream's request metrics: the route's HTTP-style verb (POST, PUT, LIST, WATCH, APPLY, ...). */
export function metricsVerb(verb: string, contentType: string | undefined): string {
  switch (verb) {
    case 'create':
      return 'POST';
    case 'update':
      return 'PUT';
    case 'patch':
      return (contentType ?? '').startsWith('application/apply-patch') ? 'APPLY' : 'PATCH';
    default:
      return verb.toUpperCase();
  }
}
