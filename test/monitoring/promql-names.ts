/**
 * The metric names a PromQL expression reads (enough PromQL for our rules and dashboard, not a parser):
 * strings, label matchers, ranges, grouping clauses, numbers and function calls are taken out first,
 * and every identifier left that is not an operator keyword is a metric name.
 */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

export function metricNames(expr: string): Set<string> {
  const label = /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(expr);
  if (label !== null) return new Set([label[1] as string]);
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/(^|[^a-zA-Z0-9_:])\d+(\.\d+)?([eE][+-]?\d+)?/g, '$1 ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?/g)) {
    const word = match[0].replace(/\s*\($/, '');
    if (match[1] !== undefined || KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return names;
}

/** Names a /metrics page exports: each `# TYPE` line's name, with _bucket, _sum and _count for histograms and summaries. */
export function exportedNames(page: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === 'histogram') names.add(`${name as string}_bucket`);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name as string}${suffix}`);
  }
  return names;
}

/** Every PromQL expression of a Grafana dashboard: panel targets (rows' panels too), template queries, annotations. */
export function dashboardExpressions(dashboard: unknown): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const d = dashboard as {
    panels?: Array<{ title?: string; targets?: Array<{ expr?: string }>; panels?: unknown[] }>;
    templating?: { list?: Array<{ name: string; type: string; query?: string | { query?: string } }> };
    annotations?: { list?: Array<{ name: string; expr?: string }> };
  };
  const visit = (panels: typeof d.panels): void => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) if (t.expr !== undefined) out.push({ where: `panel "${p.title ?? ''}"`, expr: t.expr });
      visit(p.panels as typeof d.panels);
    }
  };
  visit(d.panels);
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const query = typeof v.query === 'string' ? v.query : v.query?.query;
    if (query !== undefined) out.push({ where: `variable $${v.name}`, expr: query });
  }
  for (const a of d.annotations?.list ?? []) if (a.expr !== undefined) out.push({ where: `annotation "${a.name}"`, expr: a.expr });
  return out;
}
