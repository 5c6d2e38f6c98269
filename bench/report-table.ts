// The benchmark report: one row per figure with its target and upstream's figure, printed as an aligned table.

export interface BenchFigure {
  figure: string;
  unit: string;
  measured: number;
  /** The target from issue 2; undefined for figures printed for information only. */
  target?: number;
  /** 'min': the measured figure should be at least the target; 'max': at most. */
  direction?: 'min' | 'max';
  /** Upstream kube-apiserver 1.32 + etcd 3.5 on the same kind of machine, as the issue quotes it. */
  upstream?: string;
}

/** measured / target (so above 1 is better for 'min' figures, below 1 is better for 'max' ones). */
export function ratioToTarget(f: BenchFigure): number | undefined {
  if (f.target === undefined || f.target === 0) return undefined;
  return f.measured / f.target;
}

/** Whether the figure meets its target; undefined when it has none or was not measured. */
export function meetsTarget(f: BenchFigure): boolean | undefined {
  if (f.target === undefined || f.direction === undefined || !Number.isFinite(f.measured)) return undefined;
  return f.direction === 'min' ? f.measured >= f.target : f.measured <= f.target;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  const abs = Math.abs(n);
  if (abs >= 100) return String(Math.round(n));
  if (abs >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

function withUnit(n: number, unit: string): string {
  return unit === '' ? formatNumber(n) : `${formatNumber(n)} ${unit}`;
}

function targetText(f: BenchFigure): string {
  if (f.target === undefined) return '-';
  return `${f.direction === 'max' ? '<=' : '>='} ${withUnit(f.target, f.unit)}`;
}

/** The report as rows of cells: figure, measured, target, upstream, ratio to target, ok. */
export function reportRows(figures: readonly BenchFigure[]): string[][] {
  const header = ['figure', 'measured', 'target', 'upstream', 'measured/target', 'ok'];
  const rows = figures.map((f) => {
    const ratio = ratioToTarget(f);
    const ok = meetsTarget(f);
    return [f.figure, withUnit(f.measured, f.unit), targetText(f), f.upstream ?? '-', ratio === undefined ? '-' : formatNumber(ratio), ok === undefined ? '-' : ok ? 'yes' : 'NO'];
  });
  return [header, ...rows];
}

/** A plain-text table with aligned columns. */
export function formatTable(figures: readonly BenchFigure[]): string {
  const rows = reportRows(figures);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]): string => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd();
  const [header, ...body] = rows;
  if (header === undefined) return '';
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The same table in Markdown, for bench/RESULTS.md. */
export function formatMarkdownTable(figures: readonly BenchFigure[]): string {
  const rows = reportRows(figures);
  const [header, ...body] = rows;
  if (header === undefined) return '';
  const md = (r: string[]): string => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [md(header), md(header.map(() => '---')), ...body.map(md)].join('\n');
}
