// Which metrics a PromQL expression reads, and which a service exports: enough of PromQL's
// grammar for our own rules and dashboards (promtool has no "list the metrics" command).
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Metric names in `expr`: identifiers that are neither functions, keywords, label names nor inside matchers/ranges/strings. */
export function metricNames(expr: string): Set<string> {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![0-9.])[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\()?)/g)) {
    if (match[1] || KEYWORDS.has(match[0].toLowerCase())) continue; // a function call or keyword
    names.add(match[0]);
  }
  return names;
}

/** The series names a /metrics page can hold: every declared metric, and a histogram's or summary's series. */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}
