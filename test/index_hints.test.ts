import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadNamedQuery } from '../src/db/sql_loader.js';
import { QUERY_VERSION } from '../src/report/drift_queries.js';
import { sqlRoot } from '../src/paths.js';
import { describeDbError, hintedTableAliases } from '../src/db/db_errors.js';
import { dbConfigFromEnv } from '../src/config/db_config.js';
import { envFor, spawnCli, withScratch } from './support/scratch.js';

/** The indexes the shipped report names in its hints, and the table each belongs to. */
const HINTED = [
  ['jetmon_events', 'idx_blog_id_started'],
  ['jetmon_events', 'idx_blog_id_active'],
] as const;

for (const [table, index] of HINTED) {
  test(`exit 3 naming ${table} and ${index} when the table lacks that index`, async () => {
    await withScratch({ sites: [{ blogId: 1, bucket: 0, siteStatus: 0 }] }, async ({ connection, database, env }) => {
      await connection.query(`ALTER TABLE ${table} DROP INDEX ${index}`);
      const run = spawnCli(['--range', '0-999'], env);
      assert.is(run.status, 3, run.stderr);
      assert.is(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.is(lines.length, 1, run.stderr);
      assert.is(
        lines[0],
        `projection-drift: could not check: table ${table} in database "${database}" has no index ${index}, which the report's query names in an index hint; ` +
          `check that DB_NAME names the monitor's database, or restore the index from the monitor's schema (README: "Indexes the report relies on")`,
      );
    });
  });
}

test('every alias the shipped queries put an index hint on maps back to its table', () => {
  const shipped = readdirSync(join(sqlRoot, QUERY_VERSION)).filter((file) => file.endsWith('.sql'));
  const text = shipped.map((file) => loadNamedQuery(QUERY_VERSION, file.slice(0, -'.sql'.length)).strings.join('?').replace(/--[^\n]*/g, '')).join('\n');
  const hinted = [...text.matchAll(/(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)\s+(?:USE|IGNORE|FORCE)\s+(?:INDEX|KEY)/gi)].map((m) => [m[2]!, m[1]!] as const);
  assert.ok(hinted.length > 0, 'the shipped queries have index hints');
  for (const [alias, table] of hinted) assert.is(hintedTableAliases[alias], table, `alias ${alias}`);
  const hintedIndexes = [...text.matchAll(/(?:USE|IGNORE|FORCE)\s+(?:INDEX|KEY)(?:\s+FOR\s+(?:JOIN|GROUP BY|ORDER BY))?\s*\(([^)]*)\)/gi)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()));
  assert.equal([...new Set(hintedIndexes)].sort(), HINTED.map(([, index]) => index).sort());
});

test('an alias the mapping does not know is named as the server gave it, not guessed', () => {
  const config = dbConfigFromEnv(envFor('jetmon_db'));
  const error = describeDbError({ errno: 1176, code: 'ER_KEY_DOES_NOT_EXITS', sqlMessage: "Key 'k1' doesn't exist in table 'zz'" }, config);
  assert.match(error.message, /^table or alias zz in database "jetmon_db" has no index k1, which the report's query names in an index hint;/);
});

test.run();
