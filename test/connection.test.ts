import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readOptionFile } from '../src/config/option_file.js';
import { resolveDbConfig } from '../src/config/db_config.js';
import { askForTlsOnlyIfOffered, driverOptions } from '../src/db/snapshot.js';
import { UsageError } from '../src/errors.js';
import { describeDbError } from '../src/db/db_errors.js';
import { runCli, withScratch, withTemporaryUser } from './support/scratch.js';
import { seedFixture } from './support/seed_fixture.js';
import { withoutAges } from './support/report_checks.js';

const folder = mkdtempSync(join(tmpdir(), 'pd-conn-'));
const write = (name: string, text: string) => {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
};
/** A HOME holding the given ~/.my.cnf. */
const homeWith = (name: string, cnf: string) => {
  const home = join(folder, name);
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, '.my.cnf'), cnf);
  return home;
};

test('option files: [client] then [client-mariadb], other groups ignored, later values win', () => {
  const path = write(
    'groups.cnf',
    [
      '# a comment',
      '[mysqld]',
      'port = 9999',
      '[client]',
      'host = db.example',
      'port=3307',
      'user = "reporter"',
      "password = 'p#ss word'",
      '; another comment',
      'ssl_ca = /etc/ca.pem   # trailing comment',
      'skip-auto-rehash',
      '[client-mariadb]',
      'port = 3308',
      'Database = jetmon_db',
    ].join('\n'),
  );
  const options = readOptionFile(path);
  assert.equal(Object.fromEntries(options), {
    host: 'db.example',
    port: '3308',
    user: 'reporter',
    password: 'p#ss word',
    'ssl-ca': '/etc/ca.pem',
    'skip-auto-rehash': '',
    database: 'jetmon_db',
  });
});

test('option files: !include and !includedir (only .cnf files, in name order), escapes in values', () => {
  const dir = join(folder, 'conf.d');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '20-port.cnf'), '[client]\nport = 3320\n');
  writeFileSync(join(dir, '10-port.cnf'), '[client]\nport = 3310\nuser = a\\sb\n');
  writeFileSync(join(dir, 'ignored.txt'), '[client]\nport = 1\n');
  const inner = write('inner.cnf', '[client]\nhost = included.example\n');
  const outer = write('outer.cnf', `[client]\nhost = first.example\n!include ${inner}\n!includedir ${dir}\n`);
  assert.equal(Object.fromEntries(readOptionFile(outer)), { host: 'included.example', port: '3320', user: 'a b' });
  // As in the clients, includes deeper than 10 are skipped, so a loop reads each option once more and ends.
  const loop = write('loop.cnf', `[client]\nport = 3330\n!include ${join(folder, 'loop.cnf')}\n`);
  assert.equal(Object.fromEntries(readOptionFile(loop)), { port: '3330' });
  assert.throws(() => readOptionFile(join(folder, 'absent.cnf')), (e: Error) => e instanceof UsageError && /ENOENT/.test(e.message));
});

test('precedence: flags, then --defaults-file, then DB_* variables, then ~/.my.cnf, then defaults', () => {
  const home = homeWith('home-a', '[client]\nhost = mycnf.example\nport = 3401\nuser = mycnf\npassword = from-mycnf\ndatabase = mycnf_db\n');
  const env = { HOME: home, DB_HOST: 'env.example', DB_USER: 'env-user' };
  const fromMyCnf = resolveDbConfig({}, env, undefined, home);
  assert.equal(
    [fromMyCnf.host, fromMyCnf.port, fromMyCnf.user, fromMyCnf.password, fromMyCnf.database],
    ['env.example', 3401, 'env-user', 'from-mycnf', 'mycnf_db'],
  );
  const defaultsFile = write('defaults.cnf', '[client]\nhost = file.example\npassword = from-file\n');
  const withFile = resolveDbConfig({ 'defaults-file': defaultsFile }, env, undefined, home);
  // --defaults-file replaces ~/.my.cnf and outranks the environment.
  assert.equal([withFile.host, withFile.user, withFile.password, withFile.port, withFile.database], ['file.example', 'env-user', 'from-file', 3306, 'jetmon_db']);
  const withFlags = resolveDbConfig({ 'defaults-file': defaultsFile, host: 'flag.example', port: '3402' }, env, undefined, home);
  assert.equal([withFlags.host, withFlags.port], ['flag.example', 3402]);
  const bare = resolveDbConfig({}, {}, undefined, join(folder, 'no-home'));
  assert.equal([bare.host, bare.port, bare.user, bare.password, bare.database, bare.ssl.mode], ['localhost', 3306, 'root', '', 'jetmon_db', 'preferred']);
});

test('bad connection settings are usage errors naming their source, option files included', () => {
  const noHome = join(folder, 'no-home');
  assert.throws(() => resolveDbConfig({ port: 'x' }, {}, undefined, noHome), /invalid --port "x": use a TCP port/);
  assert.throws(() => resolveDbConfig({}, { DB_PORT: '70000' }, undefined, noHome), /invalid DB_PORT "70000"/);
  assert.throws(() => resolveDbConfig({ 'ssl-mode': 'sometimes' }, {}, undefined, noHome), /invalid --ssl-mode "sometimes"/);
  assert.throws(() => resolveDbConfig({ 'ssl-ca': join(folder, 'none.pem') }, {}, undefined, noHome), /cannot read the file .*none\.pem named by --ssl-ca \(ENOENT\)/);
  const badMode = write('bad-mode.cnf', '[client]\nssl-mode = sometimes\n');
  assert.throws(() => resolveDbConfig({ 'defaults-file': badMode }, {}), new RegExp(`invalid ssl-mode in ${badMode} "sometimes"`));
  const badCa = homeWith('home-bad-ca', `[client]\nssl_ca = ${join(folder, 'none.pem')}\n`);
  assert.throws(() => resolveDbConfig({}, {}, undefined, badCa), /cannot read the file .*none\.pem named by ssl-ca in ~\/\.my\.cnf \(ENOENT\)/);
  const badPort = homeWith('home-bad-port', '[client]\nport = 0\n');
  assert.throws(() => resolveDbConfig({}, {}, undefined, badPort), /invalid port in ~\/\.my\.cnf "0"/);
});

test('socket or TCP as the clients decide: a host or port above the socket means TCP (issue 12, item 1)', () => {
  const home = homeWith('home-socket', '[client]\nsocket = /run/mysqld/mysqld.sock\n');
  const target = (flags: Record<string, string>, env: NodeJS.ProcessEnv, at = home) => {
    const config = resolveDbConfig(flags, env, undefined, at);
    return [config.socket ?? `${config.host}:${config.port}`, config.sources.server];
  };
  const sock = '/run/mysqld/mysqld.sock';
  assert.equal(target({}, { DB_HOST: '127.0.0.9', DB_PORT: '1' }), ['127.0.0.9:1', 'DB_HOST and DB_PORT']);
  assert.equal(target({ host: '127.0.0.9', port: '1' }, {}), ['127.0.0.9:1', '--host and --port']);
  assert.equal(target({ host: '127.0.0.9' }, {}), ['127.0.0.9:3306', '--host and DB_PORT']);
  assert.equal(target({ port: '3307' }, {}), ['localhost:3307', 'DB_HOST and --port']);
  assert.equal(target({}, { DB_HOST: 'localhost' }), [sock, 'socket in ~/.my.cnf']);
  assert.equal(target({}, {}), [sock, 'socket in ~/.my.cnf']);
  // A socket given above the host wins; in one source, a remote host wins, a port does not.
  assert.equal(target({ socket: '/tmp/x.sock' }, { DB_HOST: 'db.example', DB_PORT: '3307' }), ['/tmp/x.sock', '--socket']);
  assert.equal(target({ socket: '/tmp/x.sock', host: 'db.example' }, {}), ['db.example:3306', '--host and DB_PORT']);
  assert.equal(target({ socket: '/tmp/x.sock', host: 'localhost' }, {}), ['/tmp/x.sock', '--socket']);
  const sameFile = write('same.cnf', '[client]\nhost = localhost\nport = 3307\nsocket = /tmp/y.sock\n');
  assert.equal(target({ 'defaults-file': sameFile }, {}), ['/tmp/y.sock', `socket in ${sameFile}`]);
  const remoteFile = write('remote.cnf', '[client]\nhost = db.example\nsocket = /tmp/y.sock\n');
  assert.equal(target({ 'defaults-file': remoteFile }, {}), ['db.example:3306', `host in ${remoteFile} and DB_PORT`]);
});

test('TLS options reach the driver configuration with the MySQL client meanings', () => {
  const ca = write('ca.pem', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
  const cert = write('cert.pem', 'CERT');
  const key = write('key.pem', 'KEY');
  const verify = driverOptions(resolveDbConfig({ 'ssl-mode': 'verify-identity', 'ssl-ca': ca, 'ssl-cert': cert, 'ssl-key': key }, {}));
  assert.equal(verify.ssl, { ca: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n', cert: 'CERT', key: 'KEY', rejectUnauthorized: true });
  assert.equal(driverOptions(resolveDbConfig({ 'ssl-mode': 'REQUIRED' }, {})).ssl, { rejectUnauthorized: false });
  assert.equal(driverOptions(resolveDbConfig({ 'ssl-mode': 'preferred' }, {})).ssl, { rejectUnauthorized: false });
  assert.is(driverOptions(resolveDbConfig({ 'ssl-mode': 'disabled' }, {})).ssl, undefined);
  const fromFile = write('tls.cnf', '[client]\nssl-mode = VERIFY_IDENTITY\nssl_ca = ' + ca + '\n');
  assert.is(resolveDbConfig({ 'defaults-file': fromFile }, {}).ssl.mode, 'verify-identity');
  const socket = driverOptions(resolveDbConfig({ socket: '/run/mysqld/mysqld.sock', host: 'localhost' }, {}));
  assert.equal([socket.socketPath, socket.host], ['/run/mysqld/mysqld.sock', undefined]);
});

test('against the real server: preferred falls back to plain, required refuses a server without TLS', async () => {
  await withScratch(seedFixture, async ({ env }) => {
    const preferred = await runCli(['--range', '0-99', '--ssl-mode', 'preferred'], env);
    assert.is(preferred.status, 1, preferred.stderr);
    const required = await runCli(['--range', '0-99', '--ssl-mode', 'required'], env);
    if (required.status === 3) assert.match(required.stderr, /does not offer TLS but ssl-mode is required/);
    else assert.is(required.status, 1, 'a server with TLS serves the report');
  });
});

test('preferred TLS asks for TLS exactly when the greeting offers it, and until then as configured', () => {
  const tls = { rejectUnauthorized: false };
  const connection: { config: { ssl?: unknown }; serverCapabilityFlags: number } = { config: { ssl: tls }, serverCapabilityFlags: 0 };
  askForTlsOnlyIfOffered(connection);
  assert.is(connection.config.ssl, tls, 'before the greeting');
  connection.serverCapabilityFlags = 0x200 | 0x800 | 0x8000; // PROTOCOL_41, SSL, SECURE_CONNECTION
  assert.is(connection.config.ssl, tls, 'a server offering TLS');
  connection.serverCapabilityFlags = 0x200 | 0x8000;
  assert.is(connection.config.ssl, undefined, 'a server without TLS');
});

test('preferred TLS costs one connection, whether or not the server offers TLS', async () => {
  await withScratch(seedFixture, async ({ env }) => {
    // A relay to the test server that counts the connections made through it.
    let connections = 0;
    const relay = createServer((client) => {
      connections++;
      const server = tcpConnect(Number(env.DB_PORT), env.DB_HOST);
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((relay.address() as AddressInfo).port);
      const run = await runCli(['--range', '0-99', '--ssl-mode', 'preferred'], { ...env, DB_HOST: '127.0.0.1', DB_PORT: port });
      assert.is(run.status, 1, run.stderr);
      assert.is(connections, 1);
    } finally {
      relay.close();
    }
  });
});

test('--socket connects through the server\'s Unix socket', async () => {
  await withScratch(seedFixture, async ({ connection, env }) => {
    const [rows] = await connection.query('SELECT @@socket AS socket');
    const socket = String((rows as { socket: string }[])[0]?.socket);
    assert.ok(existsSync(socket), `the test server's socket ${socket} exists on this machine`);
    const { DB_HOST: _h, DB_PORT: _p, ...rest } = env;
    const run = await runCli(['--range', '0-99', '--socket', socket, '--host', 'localhost'], rest);
    assert.is(run.status, 1, run.stderr);
    assert.match(run.stdout, /^FAIL legacy projection drift=3 in range 0-99$/m);
    // The run facts name what was connected to, not localhost:3306.
    const markdown = await runCli(['--range', '0-99', '--socket', socket, '--format', 'markdown'], rest);
    assert.ok(markdown.stdout.includes(`| Server | socket ${socket.replace(/_/g, '\\_')} |`), markdown.stdout);
    // A socket in ~/.my.cnf does not beat a host and port from the environment: the clients go to the host.
    const home = homeWith('home-real-socket', `[client]\nsocket = ${socket}\n`);
    const elsewhere = await runCli(['--range', '0-99'], { ...env, HOME: home, DB_HOST: '127.0.0.9', DB_PORT: '1' });
    assert.is(elsewhere.status, 3, elsewhere.stdout);
    assert.match(elsewhere.stderr, /cannot reach the database server at 127\.0\.0\.9:1 \(ECONNREFUSED\); check DB_HOST and DB_PORT/);
    const missing = await runCli(['--range', '0-99', '--socket', join(folder, 'nope.sock')], rest);
    assert.is(missing.status, 3);
    assert.match(missing.stderr, /cannot reach the database server at socket .*nope\.sock \(ENOENT\); check --socket and that the server is running/);
  });
});

test('a password from --defaults-file reaches the server, and is never printed', async () => {
  await withScratch(seedFixture, async ({ connection, database, env }) => {
    await withTemporaryUser(connection, 'pd_cnf', [`\`${database}\`.*`], async ({ name, password }) => {
      const cnf = write(`${name}.cnf`, `[client]\nuser = ${name}\npassword = "${password}"\n`);
      const { DB_USER: _u, DB_PASSWORD: _p, ...rest } = env;
      const run = await runCli(['--range', '0-99', '--defaults-file', cnf], rest);
      assert.is(run.status, 1, run.stderr);
      const wrong = write(`${name}-wrong.cnf`, `[client]\nuser = ${name}\npassword = wrong-${password}\n`);
      const denied = await runCli(['--range', '0-99', '--defaults-file', wrong, '--format', 'json'], rest);
      assert.is(denied.status, 3);
      assert.not.ok((denied.stdout + denied.stderr).includes(password));
      assert.match(denied.stderr, new RegExp(`access denied for database user "${name}" .*; check user in ${wrong} and password in ${wrong} and the user's grants`));
    });
  });
});

test('a piped run writes nothing to stderr; a terminal gets progress and colour unless NO_COLOR', async () => {
  await withScratch(seedFixture, async ({ env }) => {
    const piped = await runCli(['--range', '0-99'], env);
    assert.is(piped.stderr, '');
    const terminal = await runCli(['--range', '0-99'], env, { terminal: true });
    assert.match(terminal.stderr, /^projection-drift: checking buckets 0-99 of pd_test_\w+ on /);
    assert.is(withoutAges(terminal.stdout), withoutAges(piped.stdout));
    const coloured = await runCli(['--range', 'x'], env, { terminal: true });
    assert.ok(coloured.stderr.startsWith('\u001b[31mprojection-drift:\u001b[0m invalid --range'));
    const plain = await runCli(['--range', 'x'], { ...env, NO_COLOR: '1' }, { terminal: true });
    assert.ok(plain.stderr.startsWith('projection-drift: invalid --range'));
  });
});

test('a driver message loses the password only where it stands whole, so a one-letter password garbles nothing', () => {
  const config = (password: string) => ({ ...resolveDbConfig({}, {}, undefined, join(folder, 'no-home')), password });
  const denied = { code: 'ER_PARSE_ERROR', sqlMessage: "Access denied near 'e' (using password: YES)" };
  assert.match(describeDbError(denied, config('e')).message, /Access denied near '\*\*\*' \(using password: YES\)/);
  const echoed = { code: 'ER_PARSE_ERROR', sqlMessage: 'near "s3cr.t+x" at line 1; s3cr.t+xy stays' };
  assert.match(describeDbError(echoed, config('s3cr.t+x')).message, /near "\*\*\*" at line 1; s3cr\.t\+xy stays/);
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

test.run();
