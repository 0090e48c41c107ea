import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { envFor, spawnCli, withScratch, withTemporaryUser } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';
import { startCli, waitFor, within, type RunningCli } from './support/spawn.js';
import { renderReport, type ReportReading } from '../src/cli.js';
import { InterruptedError } from '../src/db/snapshot.js';
import { stageReport } from '../src/render/report_output.js';
import type { ListedRow } from '../src/render/render.js';
import { RowSpool } from '../src/report/row_spool.js';

/** Generous bounds against hangs; nothing here asserts how fast anything is. */
const BOUND_MS = 20_000;

/** Ids of the report statements running on the server for `database`. */
async function reportStatements(connection: Connection, database: string): Promise<number[]> {
  const [rows] = await connection.query(
    `SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE '%-- name: drift_%' AND id <> CONNECTION_ID()`,
    [database],
  );
  return (rows as { id: number | string }[]).map((row) => Number(row.id));
}

/** Ends every other connection to `database` on the server (cleanup after a run that left one behind). */
async function endOthers(connection: Connection, database: string): Promise<void> {
  const [rows] = await connection.query(`SELECT id FROM information_schema.processlist WHERE db = ? AND id <> CONNECTION_ID()`, [database]);
  for (const { id } of rows as { id: number }[]) await connection.query(`KILL ${Number(id)}`).catch(() => {});
}

/** A folder holding report.txt with an earlier report in it. */
function previousReport(): { folder: string; out: string } {
  const folder = mkdtempSync(join(tmpdir(), 'pd-interrupt-'));
  const out = join(folder, 'report.txt');
  writeFileSync(out, 'previous report\n');
  return { folder, out };
}

/** A TCP server on a free port; `onSocket` decides what each accepted connection gets. */
async function tcpServer(onSocket: (socket: Socket, index: number) => void): Promise<{ server: Server; port: number; accepted: () => number }> {
  let accepted = 0;
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket, accepted++);
  });
  server.on('close', () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0, accepted: () => accepted };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.emit('close');
  });
}

/**
 * A TCP proxy to the database server. A forwarded connection's server side stays open after its
 * client side closes, until the proxy closes: a statement the client left running then ends only
 * if something cancels it on the server. Connections accepted after `hold()` are left hanging.
 */
async function databaseProxy(env: NodeJS.ProcessEnv) {
  let holding = false;
  let held = 0;
  const upstreams: Socket[] = [];
  const { server, port } = await tcpServer((socket) => {
    if (holding) return void held++;
    const upstream = connectTcp(Number(env.DB_PORT), env.DB_HOST!);
    upstreams.push(upstream);
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream, { end: false });
    upstream.pipe(socket);
  });
  return {
    port,
    hold: () => void (holding = true),
    held: () => held,
    close: async () => {
      upstreams.forEach((upstream) => upstream.destroy());
      await closeServer(server);
    },
  };
}

for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} while the report waits on the server: the query is cancelled there, exit ${status}, --out untouched`, async () => {
    const { folder, out } = previousReport();
    try {
      await withScratch(seedFixture, async ({ connection, database, env }) => {
        const tables = ['jetpack_monitor_sites', 'jetmon_events'].map((table) => `\`${database}\`.${table}`);
        // A user with nothing but SELECT: cancelling one's own statement needs no privilege.
        await withTemporaryUser(connection, 'pd_int', tables, async (user) => {
          // The write lock makes the report's statement wait on the server until something ends it.
          await connection.query('LOCK TABLES jetpack_monitor_sites WRITE');
          const proxy = await databaseProxy(env);
          let run: RunningCli | undefined;
          try {
            run = startCli(['--range', '0-99', '--out', out], { ...env, DB_PORT: String(proxy.port), DB_USER: user.name, DB_PASSWORD: user.password });
            await waitFor(async () => ((await reportStatements(connection, database)).length > 0 ? true : undefined), BOUND_MS, 'the report statement');
            run.child.kill(signal);
            const exit = await within(run.exit, BOUND_MS, `the run after ${signal}`);
            assert.is(exit.status, status, exit.stderr);
            assert.is(exit.stderr, 'projection-drift: interrupted; the query on the server was cancelled\n');
            assert.is(exit.stdout, '');
            assert.is(readFileSync(out, 'utf8'), 'previous report\n');
            assert.equal(readdirSync(folder), ['report.txt']);
            // The lock is still held and the proxy keeps the server side of the report's connection
            // open after the process ended, so only the cancellation can have ended the statement.
            await waitFor(async () => ((await reportStatements(connection, database)).length === 0 ? true : undefined), BOUND_MS, 'the statement gone from the server');
          } finally {
            run?.child.kill('SIGKILL');
            await proxy.close();
            await endOthers(connection, database);
            await connection.query('UNLOCK TABLES');
          }
        });
      });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
}

test('SIGINT while connecting to a server that does not answer: exit 130 at once, not after --connect-timeout', async () => {
  const silent = await tcpServer(() => {});
  try {
    const run = startCli(['--range', '0', '--connect-timeout', '600'], envFor('jetmon_db', { DB_PORT: String(silent.port) }));
    await waitFor(async () => (silent.accepted() > 0 ? true : undefined), BOUND_MS, 'the connection attempt');
    run.child.kill('SIGINT');
    const exit = await within(run.exit, BOUND_MS, 'the run after SIGINT');
    assert.is(exit.status, 130, exit.stderr);
    assert.is(exit.stderr, 'projection-drift: interrupted while connecting; nothing ran on the server\n');
    assert.is(exit.stdout, '');
  } finally {
    await closeServer(silent.server);
  }
});

test('SIGINT before connecting: exit 130 and no connection is attempted', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'pd-interrupt-'));
  const counting = await tcpServer(() => {});
  try {
    // A baseline of range 0-9 to read through a named pipe: the run waits there, before connecting.
    const baseline = await withScratch({}, async ({ env }) => spawnCli(['--range', '0-9', '--format', 'json'], env));
    assert.is(baseline.status, 0, baseline.stderr);
    const pipe = join(folder, 'baseline.json');
    execFileSync('mkfifo', [pipe]);
    const run = startCli(['--range', '0-9', '--baseline', pipe], envFor('jetmon_db', { DB_PORT: String(counting.port) }));
    const writer = await within(open(pipe, 'w'), BOUND_MS, 'the run opening the baseline'); // opens once the run reads it
    run.child.kill('SIGINT');
    await writer.writeFile(baseline.stdout);
    await writer.close();
    const exit = await within(run.exit, BOUND_MS, 'the run after SIGINT');
    assert.is(exit.status, 130, exit.stderr);
    assert.is(exit.stderr, 'projection-drift: interrupted before connecting; nothing ran on the server\n');
    assert.is(counting.accepted(), 0);
  } finally {
    await closeServer(counting.server);
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a second SIGINT while the first one is being cleaned up exits at once', async () => {
  await withScratch(seedFixture, async ({ connection, database, env }) => {
    // Connections reach the server until the first SIGINT; later ones (the cancellation) hang.
    const proxy = await databaseProxy(env);
    await connection.query('LOCK TABLES jetpack_monitor_sites WRITE');
    let run: RunningCli | undefined;
    try {
      run = startCli(['--range', '0-99', '--connect-timeout', '600'], { ...env, DB_PORT: String(proxy.port) });
      await waitFor(async () => ((await reportStatements(connection, database)).length > 0 ? true : undefined), BOUND_MS, 'the report statement');
      proxy.hold();
      run.child.kill('SIGINT');
      await waitFor(async () => (proxy.held() > 0 ? true : undefined), BOUND_MS, 'the cancellation connecting');
      run.child.kill('SIGINT');
      const exit = await within(run.exit, BOUND_MS, 'the run after a second SIGINT');
      assert.is(exit.status, 130, exit.stderr);
      assert.is(exit.stderr, 'projection-drift: interrupted again; stopped without waiting for the server, where the query may still run\n');
      assert.is(exit.stdout, '');
      // As the line says: nothing cancelled it (the proxy keeps its connection to the server open).
      assert.is((await reportStatements(connection, database)).length, 1);
    } finally {
      run?.child.kill('SIGKILL');
      await proxy.close();
      await endOthers(connection, database);
      await connection.query('UNLOCK TABLES');
    }
  });
});

test('SIGTERM after the snapshot ended, while the listing is rendered: an InterruptedError (exit 143), nothing delivered', async () => {
  const rows = new RowSpool<ListedRow>();
  const row: ListedRow = {
    blogId: '1', bucket: 0, siteStatus: 0, expectedStatus: 1, eventId: null, openEvents: 0, cause: 'stale_legacy_down_projection',
    eventState: null, isNew: false, extras: { evidence: null, recheck: null },
  };
  await rows.push([row]);
  const read: ReportReading = {
    rows,
    summary: { queryVersion: 'v6', bucketMin: 0, bucketMax: 0, driftCount: 1, summarizedCount: 1, groups: [], groupsTotal: 0, hiddenGroupRows: 0, causes: [] },
    comparison: null,
    gaps: [],
    evidenceRead: true,
    recheck: null,
    timings: [],
  };
  const interrupt = new AbortController();
  interrupt.abort('SIGTERM');
  let delivered = '';
  const staged = stageReport(undefined, (text) => void (delivered += text));
  const error = await renderReport(read, 'text', { server: { address: 'x', database: 'y' }, generatedAt: new Date() }, staged, interrupt.signal).then(
    () => null,
    (e: unknown) => e,
  );
  assert.instance(error, InterruptedError);
  assert.is((error as InterruptedError).exitCode, 143);
  await staged.discard();
  await rows.discard();
  assert.is(delivered, '');
});

test.run();
