// /metrics/resource: upstream's resource metrics collector (pkg/kubelet/metrics/collectors/resource_metrics.go) over
// the Summary's CPU and memory, in the Prometheus text format as client_golang writes it: families sorted by name,
// HELP prefixed with the stability level, label pairs sorted by name, samples sorted by label values, values in Go's
// shortest %g form and, for usage samples, the stats' time in milliseconds. scrape_error was deprecated in 1.29 and is
// hidden in 1.32; resource_scrape_error is served.
import type { Summary } from '../kubelet/stats/summary.js';

interface Sample {
  labels: [string, string][];
  value: number;
  timestampMs?: number;
}

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: Sample[];
}

/** A float as Go's strconv.FormatFloat(v, 'g', -1, 64): the shortest digits, %e for exponents below -4 or from 6 on. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = v.toExponential(); // shortest round-trip digits: "d.ddde+x"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (m === null) return String(v);
  const e = Number(m[4]);
  if (e < -4 || e >= 6) {
    const mant = m[3] === undefined ? m[2] : `${m[2]}.${m[3]}`;
    const abs = Math.abs(e);
    return `${m[1]}${mant}e${e < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function parseTime(t: string): number {
  return Date.parse(t);
}

/** The resource metrics of a Summary; `summary` undefined means getting it failed (resource_scrape_error 1). */
export function formatResourceMetrics(summary: Summary | undefined): string {
  const fam = (name: string, help: string, type: 'counter' | 'gauge'): Family => ({ name, help: `[STABLE] ${help}`, type, samples: [] });
  const nodeCpu = fam('node_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the node in core-seconds', 'counter');
  const nodeMem = fam('node_memory_working_set_bytes', 'Current working set of the node in bytes', 'gauge');
  const ctrStart = fam('container_start_time_seconds', 'Start time of the container since unix epoch in seconds', 'gauge');
  const ctrCpu = fam('container_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the container in core-seconds', 'counter');
  const ctrMem = fam('container_memory_working_set_bytes', 'Current working set of the container in bytes', 'gauge');
  const podCpu = fam('pod_cpu_usage_seconds_total', 'Cumulative cpu time consumed by the pod in core-seconds', 'counter');
  const podMem = fam('pod_memory_working_set_bytes', 'Current working set of the pod in bytes', 'gauge');
  const scrape = fam('resource_scrape_error', '1 if there was an error while getting container metrics, 0 otherwise', 'gauge');
  scrape.samples.push({ labels: [], value: summary === undefined ? 1 : 0 });

  if (summary !== undefined) {
    const n = summary.node;
    if (n.cpu?.usageCoreNanoSeconds !== undefined) nodeCpu.samples.push({ labels: [], value: n.cpu.usageCoreNanoSeconds / 1e9, timestampMs: parseTime(n.cpu.time) });
    if (n.memory?.workingSetBytes !== undefined) nodeMem.samples.push({ labels: [], value: n.memory.workingSetBytes, timestampMs: parseTime(n.memory.time) });
    for (const p of summary.pods) {
      const podLabels: [string, string][] = [
        ['namespace', p.podRef.namespace],
        ['pod', p.podRef.name],
      ];
      for (const c of p.containers) {
        const labels: [string, string][] = [['container', c.name], ...podLabels];
        const start = Date.parse(c.startTime);
        if (start > 0) ctrStart.samples.push({ labels, value: start / 1000 });
        if (c.cpu?.usageCoreNanoSeconds !== undefined) ctrCpu.samples.push({ labels, value: c.cpu.usageCoreNanoSeconds / 1e9, timestampMs: parseTime(c.cpu.time) });
        if (c.memory?.workingSetBytes !== undefined) ctrMem.samples.push({ labels, value: c.memory.workingSetBytes, timestampMs: parseTime(c.memory.time) });
      }
      if (p.cpu?.usageCoreNanoSeconds !== undefined) podCpu.samples.push({ labels: podLabels, value: p.cpu.usageCoreNanoSeconds / 1e9, timestampMs: parseTime(p.cpu.time) });
      if (p.memory?.workingSetBytes !== undefined) podMem.samples.push({ labels: podLabels, value: p.memory.workingSetBytes, timestampMs: parseTime(p.memory.time) });
    }
  }

  const families = [nodeCpu, nodeMem, ctrStart, ctrCpu, ctrMem, podCpu, podMem, scrape].filter((f) => f.samples.length > 0);
  families.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
    const key = (s: Sample): string => s.labels.map(([, v]) => v).join('\u0000');
    f.samples.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    for (const s of f.samples) {
      const labels = s.labels.length === 0 ? '' : `{${s.labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      out += `${f.name}${labels} ${formatGoFloat(s.value)}${s.timestampMs !== undefined && Number.isFinite(s.timestampMs) ? ` ${s.timestampMs}` : ''}\n`;
    }
  }
  return out;
}
