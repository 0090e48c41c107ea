import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createTemporaryFile, writeAll, type TemporaryFile } from '../render/report_output.js';

/** Rows read back at a time by `rows()`. */
const SPOOL_READ_BATCH = 500;

/** Rows held in memory, by default, before the spool moves them all to a temporary file. */
const MEMORY_ROWS = 10_000;

/**
 * Decoded rows held in order until they can be rendered (after the statement that streams them
 * has ended and the evidence about them has been read on the same connection). Up to `memoryRows`
 * rows (10,000 unless given) stay in memory; past that every row, held and later, goes to one private temporary file as a
 * JSON line, registered like the staged report's spill (removeTemporaryFilesNow removes it on a
 * second Ctrl-C). Rows must be plain JSON values: strings, numbers, booleans, null, arrays, objects.
 */
export class RowSpool<Row> {
  private held: Row[] = [];
  private spill: TemporaryFile | undefined;
  /** Rows appended so far. */
  count = 0;

  constructor(private readonly memoryRows: number = MEMORY_ROWS) {}

  /** Appends rows in order. */
  async push(rows: readonly Row[]): Promise<void> {
    this.count += rows.length;
    this.held.push(...rows);
    if (this.spill || this.held.length > this.memoryRows) {
      this.spill ??= await createTemporaryFile();
      const lines = this.held.splice(0).map((row) => `${JSON.stringify(row)}\n`).join('');
      await writeAll(this.spill.handle, lines, this.spill.path);
    }
  }

  /** Whether the rows went to a temporary file. */
  get spilled(): boolean {
    return this.spill !== undefined;
  }

  /** Reads every row back once, in order, `size` at a time. */
  async *batches(size: number): AsyncGenerator<Row[]> {
    let batch: Row[] = [];
    if (this.spill) {
      const lines = createInterface({ input: createReadStream(this.spill.path, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) {
        batch.push(JSON.parse(line) as Row);
        if (batch.length === size) {
          yield batch;
          batch = [];
        }
      }
    } else {
      for (let start = 0; start < this.held.length; start += size) yield this.held.slice(start, start + size);
    }
    if (batch.length > 0) yield batch;
  }

  /** Reads every row back once, in order, one at a time. */
  async *rows(): AsyncGenerator<Row> {
    for await (const batch of this.batches(SPOOL_READ_BATCH)) yield* batch;
  }

  /** Drops the rows and removes the temporary file; safe to call more than once. */
  async discard(): Promise<void> {
    this.held = [];
    const spill = this.spill;
    this.spill = undefined;
    await spill?.remove();
  }
}
