import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Results } from './scenario';

/** One line of the report: a figure, and the same-run baseline it is compared with. */
export interface Row {
  scenario: string;
  metric: string;
  value: number;
  baseline?: string;
  baselineValue?: number;
  target?: string;
  p99Ms?: number;
  note?: string;
}

/** The rows as they are measured (printed at once), and every scenario's raw results for latest.json. */
export class Report {
  readonly rows: Row[] = [];
  readonly results: Results = {};

  add(row: Row): void {
    this.rows.push(row);
    const ratio = row.baselineValue ? ` (${(row.value / row.baselineValue).toFixed(2)}× ${row.baseline})` : '';
    console.log(
      `${row.scenario}: ${row.metric} ${row.value.toFixed(1)}${ratio}${row.p99Ms !== undefined ? `, p99 ${row.p99Ms.toFixed(1)} ms` : ''}${row.note ? `; ${row.note}` : ''}`,
    );
  }

  /** Writes `<dir>/latest.json`. */
  write(dir: string, seconds: number): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'latest.json'),
      JSON.stringify({ at: new Date().toISOString(), seconds, rows: this.rows, results: this.results }, null, 2),
    );
  }

  /** Prints every row again as one Markdown table. */
  printTable(): void {
    console.log(
      '\n| Scenario | Metric | Value | Baseline | Ratio | Target | p99 ms | Notes |\n| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const row of this.rows) {
      const ratio = row.baselineValue ? (row.value / row.baselineValue).toFixed(2) : '';
      console.log(
        `| ${row.scenario} | ${row.metric} | ${row.value.toFixed(0)} | ${row.baseline ? `${row.baseline} ${row.baselineValue!.toFixed(0)}` : ''} | ${ratio} | ${row.target ?? ''} | ${row.p99Ms?.toFixed(1) ?? ''} | ${row.note ?? ''} |`,
      );
    }
  }
}
