// How busy the machine is when a node benchmark starts and ends: the 1-minute load average and, from `vmstat 1 2`
// (its second sample covers the last second), the CPU share stolen by the hypervisor and the idle share.
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface HostLoad {
  load1: number;
  /** Percent of CPU time stolen (vmstat st) and idle (vmstat id) over one second; NaN when vmstat is missing. */
  steal: number;
  idle: number;
}

/** The named columns of vmstat's last line (its header is the line before the first sample). */
export function parseVmstat(text: string): Record<string, number> {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const header = lines.find((l) => /\bus\b.*\bid\b/.test(l));
  const last = lines[lines.length - 1];
  if (header === undefined || last === undefined || last === header) return {};
  const names = header.split(/\s+/);
  const values = last.split(/\s+/).map(Number);
  const out: Record<string, number> = {};
  names.forEach((n, i) => {
    const v = values[i];
    if (v !== undefined && Number.isFinite(v)) out[n] = v;
  });
  return out;
}

export async function hostLoad(): Promise<HostLoad> {
  const load1 = loadavg()[0] ?? Number.NaN;
  try {
    const cols = parseVmstat((await run('vmstat', ['1', '2'])).stdout);
    return { load1, steal: cols['st'] ?? Number.NaN, idle: cols['id'] ?? Number.NaN };
  } catch {
    return { load1, steal: Number.NaN, idle: Number.NaN };
  }
}

export function formatHostLoad(l: HostLoad): string {
  return `load average ${l.load1.toFixed(2)}, steal ${Number.isFinite(l.steal) ? `${l.steal}%` : 'n/a'}, idle ${Number.isFinite(l.idle) ? `${l.idle}%` : 'n/a'}`;
}
