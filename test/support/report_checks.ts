import { readFileSync, writeFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse as losslessParse } from 'lossless-json';
import * as assert from 'uvu/assert';

const schema = JSON.parse(readFileSync(new URL('../../docs/report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020.default({ allErrors: true, strict: true }).compile(schema);

/** Parses a JSON report and checks it against docs/report.schema.json; returns the parsed document. */
export function assertValidJsonReport(text: string): Record<string, any> {
  const document = JSON.parse(text);
  if (!validate(document)) assert.unreachable(`JSON report breaks the schema: ${JSON.stringify(validate.errors)}`);
  return document;
}

/** Replaces measured durations with 0 so a JSON report can be compared with a golden file. */
export function withoutTimings(json: string): string {
  return json.replace(/("(?:db_ms|ms)": )[0-9.]+/g, '$10');
}

/**
 * Replaces each evidence age (seconds from "drifting since" to the server's clock when the report ran)
 * with 0 in any format, so a report can be compared with a golden file; evidence.test.ts checks the
 * ages against the server clock.
 */
export function withoutAges(report: string): string {
  return report
    .replace(/("drifting_since_age_s": )-?\d+/g, '$10')
    .replace(/(drifting_since_age_s=)-?\d+/g, '$10')
    .replace(/^(\| [^|]+ \| \d{4}-\d{2}-\d{2}T[0-9:.]+Z \| )-?\d+( \|)/gm, '$10$2');
}

/** Compares output with test/golden/<name>; UPDATE_GOLDEN=1 rewrites the golden file instead. */
export function assertGolden(name: string, actual: string): void {
  const url = new URL(`../golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(url, actual);
  assert.fixture(actual, readFileSync(url, 'utf8'));
}

/** Parses JSON keeping every integer exact: integers come back as decimal strings when past 2^53, numbers otherwise. */
export function parseExactJson(text: string): any {
  return losslessParse(text, null, (value) => {
    const digits = value.toString();
    return /^-?\d+$/.test(digits) && !Number.isSafeInteger(Number(digits)) ? digits : Number(digits);
  });
}

/** The number of cells of each table row (header rows included), in order, of parsed Markdown (markdown-it tokens). */
export function tableRowCells(tokens: readonly { type: string }[]): number[] {
  const rows: number[] = [];
  let cells = 0;
  for (const token of tokens) {
    if (token.type === 'tr_open') cells = 0;
    if (token.type === 'td_open' || token.type === 'th_open') cells++;
    if (token.type === 'tr_close') rows.push(cells);
  }
  return rows;
}
