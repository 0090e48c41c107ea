import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtCli, envFor, runCli, withScratch } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';
import { withoutAges } from './support/report_checks.js';

/** The seed example as text: it carries no clock, so every run of it is byte-identical. */
const reportArgs = ['--range', '0-99', '--limit', '1'];
/** A server nobody answers on: a run that gets past the option checks exits 3, so exit 2 proves nothing was queried. */
const unreachable = envFor('jetmon_db', { DB_PORT: '1' });
const isRoot = process.getuid?.() === 0;

/** A fresh folder for one test, readable by any user, removed afterwards. */
async function inFolder(body: (folder: string) => Promise<void>): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'pd-outdest-'));
  chmodSync(folder, 0o755);
  try {
    await body(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The report on stdout, to compare what --out wrote with; evidence ages (they move with the clock) read as 0. */
async function expectedReport(env: NodeJS.ProcessEnv): Promise<string> {
  const run = await runCli(reportArgs, env);
  assert.is(run.status, 1, run.stderr);
  return withoutAges(run.stdout);
}

/** A report --out wrote, its evidence ages read as 0 like expectedReport's. */
const written = (path: string) => withoutAges(readFileSync(path, 'utf8'));

test('--out through symbolic links replaces the final target and keeps the links, resolving them as the OS does', async () => {
  await inFolder(async (folder) => {
    mkdirSync(join(folder, 'reports'));
    writeFileSync(join(folder, 'reports', 'real.txt'), 'stale report\n');
    symlinkSync('reports/real.txt', join(folder, 'latest.txt'));
    symlinkSync('latest.txt', join(folder, 'chain'));
    // A relative link inside a linked folder resolves from the real folder: alias/link -> deep/t.txt, not t.txt.
    mkdirSync(join(folder, 'deep', 'inner'), { recursive: true });
    symlinkSync('deep/inner', join(folder, 'alias'));
    symlinkSync('../t.txt', join(folder, 'deep', 'inner', 'link'));
    // A dangling link creates its target.
    symlinkSync('reports/fresh.txt', join(folder, 'dangling'));
    await withScratch(seedFixture, async ({ env }) => {
      const report = await expectedReport(env);
      for (const out of ['latest.txt', 'chain', 'alias/link', 'dangling']) {
        const run = await runCli([...reportArgs, '--out', join(folder, out)], env);
        assert.is(run.status, 1, run.stderr);
      }
      assert.is(written(join(folder, 'reports', 'real.txt')), report);
      assert.is(written(join(folder, 'deep', 't.txt')), report);
      assert.is(written(join(folder, 'reports', 'fresh.txt')), report);
    });
    for (const [link, target] of [['latest.txt', 'reports/real.txt'], ['chain', 'latest.txt'], ['alias', 'deep/inner'], ['deep/inner/link', '../t.txt'], ['dangling', 'reports/fresh.txt']]) {
      assert.ok(lstatSync(join(folder, link!)).isSymbolicLink(), `${link} is still a link`);
      assert.is(readlinkSync(join(folder, link!)), target);
    }
    assert.equal(readdirSync(folder).sort(), ['alias', 'chain', 'dangling', 'deep', 'latest.txt', 'reports']);
    assert.equal(readdirSync(join(folder, 'reports')).sort(), ['fresh.txt', 'real.txt']);
    assert.equal(readdirSync(join(folder, 'deep')).sort(), ['inner', 't.txt']);
  });
});

test('--out keeps the mode (and, as root, the owner) of the file it replaces; a new file gets 0666 less the umask', async () => {
  await inFolder(async (folder) => {
    const existing = join(folder, 'private.txt');
    writeFileSync(existing, 'stale report\n');
    chmodSync(existing, 0o600);
    if (isRoot) chownSync(existing, 65534, 65534);
    const fresh = join(folder, 'fresh.txt');
    await withScratch(seedFixture, async ({ env }) => {
      const report = await expectedReport(env);
      const umask = process.umask(0o002);
      try {
        assert.is((await runCli([...reportArgs, '--out', existing], env)).status, 1);
        assert.is((await runCli([...reportArgs, '--out', fresh], env)).status, 1);
      } finally {
        process.umask(umask);
      }
      assert.is(written(existing), report);
    });
    const kept = statSync(existing);
    assert.is(kept.mode & 0o7777, 0o600);
    if (isRoot) assert.equal([kept.uid, kept.gid], [65534, 65534]);
    assert.is(statSync(fresh).mode & 0o7777, 0o664);
  });
});

test('--out into a FIFO writes the finished report to its reader in place; a failed run writes nothing to it', async () => {
  await inFolder(async (folder) => {
    const fifo = join(folder, 'pipe');
    assert.is(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    // A failed run: a reader is there, and nothing arrives (read gives end of file, no bytes).
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const failed = await runCli([...reportArgs, '--out', fifo], unreachable);
      assert.is(failed.status, 3, failed.stderr);
      assert.is(readSync(reader, Buffer.alloc(16)), 0);
    } finally {
      closeSync(reader);
    }
    await withScratch(seedFixture, async ({ env }) => {
      const report = await expectedReport(env);
      const cat = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        let received = '';
        cat.stdout.on('data', (chunk: Buffer) => void (received += chunk.toString('utf8')));
        const ended = new Promise<number | null>((resolve) => cat.on('close', resolve));
        const run = await runCli([...reportArgs, '--out', fifo], env);
        assert.is(run.status, 1, run.stderr);
        assert.ok(lstatSync(fifo).isFIFO(), 'still a FIFO'); // had it been renamed over, cat would wait forever
        assert.is(await ended, 0);
        assert.is(withoutAges(received), report);
      } finally {
        cat.kill();
      }
    });
    assert.equal(readdirSync(folder), ['pipe']);
  });
});

test('--out onto a device node writes into it and leaves the node; a failing device is exit 2 naming it', async () => {
  await inFolder(async (folder) => {
    const nullDevice = join(folder, 'null');
    const fullDevice = join(folder, 'full');
    const made = spawnSync('mknod', [nullDevice, 'c', '1', '3']);
    assert.is(made.status, 0, `mknod refused here: ${made.stderr}`);
    assert.is(spawnSync('mknod', [fullDevice, 'c', '1', '7']).status, 0);
    await withScratch(seedFixture, async ({ env }) => {
      const run = await runCli([...reportArgs, '--out', nullDevice], env);
      assert.is(run.status, 1, run.stderr);
      assert.is(run.stdout, '');
      const full = await runCli([...reportArgs, '--out', fullDevice], env);
      assert.is(full.status, 2);
      assert.match(full.stderr, `cannot write the report to ${fullDevice} (ENOSPC)`);
    });
    for (const device of [nullDevice, fullDevice]) assert.ok(lstatSync(device).isCharacterDevice(), device);
    assert.equal(readdirSync(folder).sort(), ['full', 'null']);
  });
});

test('--out through a link to an open file (as /dev/stdout is) appends to that file', async () => {
  await inFolder(async (folder) => {
    const log = join(folder, 'log.txt');
    writeFileSync(log, 'earlier line\n');
    const descriptor = openSync(log, 'a');
    try {
      symlinkSync(`/proc/self/fd/${descriptor}`, join(folder, 'stdout'));
      await withScratch(seedFixture, async ({ env }) => {
        const report = await expectedReport(env);
        const run = await runCli([...reportArgs, '--out', join(folder, 'stdout')], env);
        assert.is(run.status, 1, run.stderr);
        assert.is(withoutAges(readFileSync(log, 'utf8')), `earlier line\n${report}`);
      });
    } finally {
      closeSync(descriptor);
    }
    assert.ok(lstatSync(join(folder, 'stdout')).isSymbolicLink());
  });
});

/** Runs against the unreachable server and checks the run stopped at the option check: exit 2, one line naming --out and the path. */
async function refusedBeforeConnecting(out: string, reason: RegExp | string): Promise<void> {
  const run = await runCli(['--range', '1', '--out', out], unreachable);
  assert.is(run.status, 2, `${out}: ${run.stderr}`);
  assert.is(run.stdout, '');
  assert.match(run.stderr, `projection-drift: invalid --out "${out}": `);
  assert.match(run.stderr, reason);
  assert.is(run.stderr.split('\n').length, 2);
}

test('an --out that cannot be written is exit 2 before connecting: missing folder, a folder, under a file, a socket', async () => {
  await inFolder(async (folder) => {
    writeFileSync(join(folder, 'file.txt'), 'a file\n');
    mkdirSync(join(folder, 'reports'));
    symlinkSync('nowhere/report.txt', join(folder, 'lost'));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(folder, 'socket'), resolve));
    try {
      await refusedBeforeConnecting(join(folder, 'missing', 'report.txt'), `folder ${join(folder, 'missing')} does not exist`);
      await refusedBeforeConnecting(join(folder, 'lost'), `folder ${join(folder, 'nowhere')} does not exist`);
      await refusedBeforeConnecting(join(folder, 'reports'), 'it is a folder');
      await refusedBeforeConnecting(`${join(folder, 'report.txt')}/`, 'it names a folder');
      await refusedBeforeConnecting(join(folder, 'file.txt', 'report.txt'), `${join(folder, 'file.txt')} is not a folder`);
      await refusedBeforeConnecting(join(folder, 'socket'), 'it is a socket');
      assert.ok(lstatSync(join(folder, 'socket')).isSocket());
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    assert.equal(readdirSync(folder).sort(), ['file.txt', 'lost', 'reports']);
    assert.equal(readdirSync(join(folder, 'reports')), []);
  });
});

test('an --out in a folder without write permission, or on a read-only file system, is exit 2 before connecting', async () => {
  await inFolder(async (folder) => {
    const locked = join(folder, 'locked');
    mkdirSync(locked);
    writeFileSync(join(locked, 'report.txt'), 'previous report\n');
    chmodSync(locked, 0o555);
    const out = join(locked, 'report.txt');
    if (isRoot) {
      // Root may write anywhere permission bits say no: check as an ordinary user, through the built CLI.
      const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, builtCli, '--range', '1', '--out', out], {
        env: { PATH: process.env.PATH, ...unreachable },
        encoding: 'utf8',
      });
      assert.is(run.status, 2, run.stderr);
      assert.match(run.stderr, `invalid --out "${out}": no permission to write there (EACCES)`);
    } else {
      await refusedBeforeConnecting(out, 'no permission to write there (EACCES)');
    }
    assert.equal(readdirSync(locked), ['report.txt']);
    // A read-only mount is what stops root; make one where the sandbox allows it.
    const readOnly = join(folder, 'ro');
    mkdirSync(readOnly);
    const mounted = isRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly]).status === 0;
    if (!mounted) console.log('  (no read-only mount here: not root, or mount refused; the EROFS case was not run)');
    try {
      if (mounted) await refusedBeforeConnecting(join(readOnly, 'report.txt'), 'read-only file system (EROFS)');
    } finally {
      if (mounted) spawnSync('umount', [readOnly]);
    }
  });
});

test.run();
