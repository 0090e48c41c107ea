import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { parseCommand, plainArguments, valueOptionNames } from '../src/config/options.js';

/** What a command line comes to: the parsed command, or the usage error's message. */
async function outcome(argv: string[], parser: 'any' | 'yargs'): Promise<unknown> {
  try {
    return await parseCommand(argv, {}, { parser });
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

test('the everyday command lines are read without yargs', () => {
  for (const argv of [
    [],
    ['--range', '0-99'],
    ['--range=7', '--limit', '0', '--format', 'json', '--out', 'drift.json'],
    ['--output=markdown', '--bucket-min', '5', '--bucket-max', '9', '--statement-timeout', '0.5'],
    ['--defaults-file', '/etc/mysql/replica.cnf', '--host', 'db-1.example.com', '--port', '3307', '--ssl-mode', 'required'],
    ['--range', '0-9', '--baseline', 'before.json'],
  ]) {
    assert.ok(plainArguments(argv), argv.join(' '));
  }
});

test('anything unusual goes to yargs', () => {
  for (const argv of [
    ['--help'],
    ['--version'],
    ['--range', '0', '--range', '1'],
    ['--format', 'json', '--output', 'text'],
    ['--range'],
    ['--range', ''],
    ['--range='],
    ['--limit', '-1'],
    ['--bucketMin', '1'],
    ['--no-range'],
    ['-h'],
    ['--', '--range', '0'],
    ['--range', '0', 'extra'],
    ['--out', 'my report.txt'],
    ['--out', '"quoted"'],
    ['--unknown', 'x'],
  ]) {
    assert.is(plainArguments(argv), undefined, argv.join(' '));
  }
});

const optionNames = [...valueOptionNames, 'output'];
const values = ['0', '7', '0-9', '5-3', '0-99999', '050', '1e3', '0x10', '-1', '', 'json', 'text', 'markdown', 'xml', 'true', 'false', 'a b', '"x"', "'x'", '=', 'x=y', '0.5', '86401', 'localhost', 'required', 'DISABLED', '/no/such/file', '~/x.cnf', '--range', '-', 'null'];

/** A word or two of a command line: an option with a value in either spelling, a bare option, or something else. */
const word = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...optionNames), fc.constantFrom(...values)).map(([name, value]) => [`--${name}`, value]) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...optionNames), fc.constantFrom(...values)).map(([name, value]) => [`--${name}=${value}`]) },
  { weight: 1, arbitrary: fc.constantFrom(...optionNames).map((name) => [`--${name}`]) },
  { weight: 1, arbitrary: fc.constantFrom('--help', '--version', '--', '-h', 'word', '--bucketMin', '--no-limit', '--unknown', '--Range', '--range.x').map((text) => [text]) },
);

test('reading a command line without yargs comes to what yargs makes of it: the same options or the same error', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(word, { maxLength: 5 }), async (words) => {
      const argv = words.flat();
      assert.equal(await outcome(argv, 'any'), await outcome(argv, 'yargs'), argv.join(' '));
    }),
    { numRuns: 3000 },
  );
});

test.run();
