import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import sql from 'sql-template-tag';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dbConfigFromEnv } from '../src/config/db_config.js';
import { withReadOnlySnapshot } from '../src/db/snapshot.js';
import { CheckError } from '../src/errors.js';
import { envFor, runCli, withScratch, withTemporaryUser } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';
import { insertManySites } from './support/bulk_sites.js';

test('works for a user that holds only SELECT on the two tables, and prints the same report as root up to the evidence', async () => {
  await withScratch(seedFixture, async ({ connection, database, env }) => {
    const tables = ['jetpack_monitor_sites', 'jetmon_events'].map((table) => `\`${database}\`.${table}`);
    await withTemporaryUser(connection, 'pd_ro', tables, async (user) => {
      const asReader = await runCli(['--range', '0-99', '--limit', '1'], { ...env, DB_USER: user.name, DB_PASSWORD: user.password });
      const asRoot = await runCli(['--range', '0-99', '--limit', '1'], env);
      assert.is(asReader.stderr, '');
      assert.is(asReader.status, 1);
      // Without the optional third grant only the transition evidence is missing (evidence.test.ts).
      const beforeEvidence = (text: string) => text.split('\n## projection drift evidence\n')[0];
      assert.is(beforeEvidence(asReader.stdout), beforeEvidence(asRoot.stdout));
      assert.match(asReader.stdout, 'INFO projection_drift_evidence_unavailable=transitions reason=no_privilege');
    });
  });
});

test("a write on the report's connection is refused by the server inside the read-only snapshot", async () => {
  await withScratch(seedFixture, async ({ env }) => {
    const attempt = withReadOnlySnapshot(dbConfigFromEnv(env), async (session) => {
      for await (const batch of session.stream('write', sql`UPDATE jetpack_monitor_sites SET site_status = 1 WHERE blog_id = ${43}`)) void batch;
    });
    const error = await attempt.then(() => null, (e: unknown) => e);
    assert.instance(error, CheckError);
    assert.match((error as Error).message, /READ ONLY transaction/);
    const run = await runCli(['--range', '8'], env);
    assert.match(run.stdout, /^FAIL legacy projection drift=1 in range 8-8$/m);
  });
});

/** A TCP server that accepts connections and never says a word, like a hung database. */
async function silentServer(): Promise<{ server: Server; port: number }> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

test('gives up connecting after --connect-timeout and exits 3 with one line', async () => {
  const { server, port } = await silentServer();
  try {
    const started = Date.now();
    const run = await runCli(['--range', '0', '--connect-timeout', '0.5'], envFor('jetmon_db', { DB_PORT: String(port) }));
    const elapsed = Date.now() - started;
    assert.is(run.status, 3);
    assert.match(run.stderr, /^projection-drift: could not check: gave up connecting to the database server at 127\.0\.0\.1:\d+ after 0\.5 s \(--connect-timeout\)/);
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  } finally {
    server.close();
  }
});

test('a statement that hits --statement-timeout exits 3 and suggests a smaller range', async () => {
  await withScratch({}, async ({ connection, env }) => {
    await insertManySites(connection, 20);
    const run = await runCli(['--statement-timeout', '0.001'], env);
    assert.is(run.status, 3, run.stderr);
    assert.match(run.stderr, /^projection-drift: could not check: a statement reached the time limit of 0\.001 s \(--statement-timeout\); report a smaller --range/);
    assert.is(run.stderr.split('\n').length, 2);
  });
});

test('the connection killed in the middle of a report: exit 3, one line, --out file untouched', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'pd-kill-'));
  const out = join(folder, 'report.txt');
  writeFileSync(out, 'previous report\n');
  try {
    await withScratch(seedFixture, async ({ connection, database, env }) => {
      // Hold a write lock so the report's first statement waits; then kill the report's connection.
      const locker = connection;
      await locker.query('LOCK TABLES jetpack_monitor_sites WRITE');
      const report = runCli(['--range', '0-99', '--out', out], env);
      let killed = false;
      for (let attempt = 0; attempt < 100 && !killed; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const [rows] = await locker.query(
          `SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE '%-- name: drift_%' AND id <> CONNECTION_ID()`,
          [database],
        );
        const id = (rows as { id: string | number }[])[0]?.id;
        if (id !== undefined) {
          await locker.query(`KILL CONNECTION ${Number(id)}`);
          killed = true;
        }
      }
      await locker.query('UNLOCK TABLES');
      const run = await report;
      assert.ok(killed, 'found the report statement to kill');
      assert.is(run.status, 3);
      assert.match(run.stderr, /^projection-drift: could not check: the connection to .* was lost before the report finished/);
      assert.is(run.stderr.trimEnd().split('\n').length, 1);
      assert.is(readFileSync(out, 'utf8'), 'previous report\n');
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('no password in any output, even when the server echoes a statement error', async () => {
  const secret = `S3cr3t-${randomBytes(4).toString('hex')}`;
  const denied = await runCli(['--range', '0', '--format', 'json'], envFor('jetmon_db', { DB_USER: 'pd_nobody', DB_PASSWORD: secret }));
  assert.is(denied.status, 3);
  assert.not.ok(denied.stdout.includes(secret) || denied.stderr.includes(secret));
});

test.run();
