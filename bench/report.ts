import type { LoadResult } from '../test/helpers/load.js';

const rows: string[] = [];

/** One line a figure: what was measured, the baseline measured in the same run, their ratio and the target. */
export function report(
  scenario: string,
  figure: string,
  baseline: string,
  ratio: number,
  target: string,
  met: boolean,
): void {
  const row = `${scenario.padEnd(44)} ${figure.padEnd(26)} ${baseline.padEnd(34)} ${ratio.toFixed(2).padStart(6)}x  ${target.padEnd(10)} ${met ? 'met' : 'NOT met'}`;
  rows.push(row);
  process.stdout.write(`${row}\n`);
}

/** Milliseconds to three significant digits (wrk's units make 0.82 ms come out as 0.8200000000000001). */
export const ms = (value: number): string => `${Number(value.toPrecision(3))} ms`;

export const rps = (result: LoadResult): string =>
  `${Math.round(result.requestsPerSecond)} req/s p99 ${ms(result.p99Ms)}`;

export const msPerRequest = (result: LoadResult): string => (1000 / result.requestsPerSecond).toFixed(2);

/** A throughput figure against a baseline: higher is better. */
export function versus(
  scenario: string,
  result: LoadResult,
  baselineName: string,
  baseline: LoadResult,
  minimum: number,
): void {
  const ratio = result.requestsPerSecond / baseline.requestsPerSecond;
  report(
    scenario,
    rps(result),
    `${baselineName} ${rps(baseline)}`,
    ratio,
    `>= ${minimum.toFixed(2)}x`,
    ratio >= minimum,
  );
}

/** A latency-like figure against a baseline: lower is better. */
export function atMost(scenario: string, figure: string, baseline: string, ratio: number, maximum: number): void {
  report(scenario, figure, baseline, ratio, `<= ${maximum.toFixed(2)}x`, ratio <= maximum);
}

export function closingLine(): string {
  return `${rows.filter((row) => row.endsWith('NOT met')).length} of ${rows.length} lines miss their target`;
}
