/** Prints records as JSON (for scripts) or as an aligned table of chosen columns (for people). */
export function print(records: unknown, output: 'table' | 'json', columns: readonly string[]): void {
  if (output === 'json') {
    process.stdout.write(`${JSON.stringify(records, null, 2)}\n`);
    return;
  }
  const rows = (Array.isArray(records) ? records : [records]) as Array<Record<string, unknown>>;
  const cell = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const table = [columns.map((c) => c.toUpperCase()), ...rows.map((r) => columns.map((c) => cell(r[c])))];
  const widths = columns.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  process.stdout.write(`${table.map((row) => row.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`);
}
