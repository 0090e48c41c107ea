import MarkdownIt from 'markdown-it';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from 'mysql2/promise';
import type { EventFixture, SiteFixture, TransitionFixture } from '../src/fixtures/database.js';
import { seededRandom } from '../src/fixtures/sample_data.js';
import { EVIDENCE_BATCH } from '../src/report/evidence.js';
import { runCli, withScratch, withTemporaryUser } from './support/scratch.js';
import { assertValidJsonReport, parseExactJson, tableRowCells } from './support/report_checks.js';

/**
 * Evidence beside each listed drifting site (issue 15, section 1): every field read from the
 * authoritative tables in the report's snapshot, checked against fixtures where each field has one
 * right value, against the server's clock, and against an independent computation in this file.
 */

/** The server's clock in milliseconds since the epoch (UNIX_TIMESTAMP does not depend on the session's time zone). */
async function serverNow(connection: Connection): Promise<number> {
  const [rows] = await connection.query('SELECT UNIX_TIMESTAMP(NOW(3)) AS now');
  return Math.round(Number((rows as { now: string }[])[0]!.now) * 1000);
}

/** Runs the JSON report between two readings of the server clock. */
async function jsonRun(connection: Connection, env: NodeJS.ProcessEnv, args: string[]) {
  const before = await serverNow(connection);
  const run = await runCli([...args, '--format', 'json'], env);
  const after = await serverNow(connection);
  assertValidJsonReport(run.stdout);
  return { run, report: parseExactJson(run.stdout), before, after };
}

/** Asserts that an age was measured on the server's clock between `before` and `after`, and returns the evidence without it. */
function checkedAge(evidence: Record<string, any>, before: number, after: number): Record<string, any> {
  const { drifting_since_age_s: age, ...rest } = evidence;
  if (rest.drifting_since === null) {
    assert.is(age, null);
  } else {
    const since = Date.parse(rest.drifting_since);
    assert.ok(
      Math.floor((before - since) / 1000) <= age && age <= Math.floor((after - since) / 1000),
      `age ${age} of ${rest.drifting_since} not between the clock readings`,
    );
  }
  return rest;
}

const T = (time: string) => `2026-04-${time}`;
const iso = (time: string) => `${T(time).replace(' ', 'T')}${time.includes('.') ? '' : '.000'}Z`;

/** One site per cause that shows evidence, each field with one right value (comments say which record must win). */
const fixture: { sites: SiteFixture[]; events: EventFixture[]; transitions: TransitionFixture[] } = {
  sites: [
    // stale_legacy_down_projection: the latest closed HTTP event is 11 (latest ended_at), not 12 (a larger id, closed
    // earlier) nor 13 (closed later but a TLS check); the close is the latest write.
    { blogId: 10, bucket: 1, siteStatus: 2, lastStatusChange: T('20 08:00:00') },
    // missing_confirmed_down_projection: the representative Down event 21; the latest transition of an HTTP event wins a
    // tie on changed_at by the larger transition id; the later transition of TLS event 23 and of blog 99 never count.
    // The transition (and the event's update with it) is the latest write.
    { blogId: 20, bucket: 1, siteStatus: 1, lastStatusChange: T('20 05:00:00') },
    // multiple_open_http_events: 12 open HTTP events, ten listed by id and 2 more; a TLS event is not one of them.
    // The projection write is the latest write.
    { blogId: 30, bucket: 1, siteStatus: 1, lastStatusChange: T('22 12:00:00') },
    // stale_confirmed_down_projection: no closed event, no transition, no projection write: drifting since the open
    // event's update.
    { blogId: 40, bucket: 2, siteStatus: 2 },
    // stale_legacy_down_projection with nothing known at all: no time.
    { blogId: 50, bucket: 2, siteStatus: 0 },
  ],
  events: [
    { id: 11, blogId: 10, endpointId: 1, state: 'Down', ended: true, endedAt: T('20 10:00:00.750'), resolutionReason: 'recovered', startedAt: T('20 09:00:00') },
    { id: 12, blogId: 10, endpointId: 2, state: 'Seems Down', ended: true, endedAt: T('20 09:30:00'), resolutionReason: 'false_alarm', startedAt: T('20 09:00:00') },
    { id: 13, blogId: 10, endpointId: 3, checkType: 'tls', state: 'Down', ended: true, endedAt: T('21 00:00:00'), resolutionReason: 'tls', startedAt: T('20 09:00:00') },
    { id: 21, blogId: 20, endpointId: 1, state: 'Down', severity: 4, startedAt: T('20 06:00:00.125'), updatedAt: T('20 06:30:00.250') },
    { id: 22, blogId: 20, endpointId: 2, state: 'Down', ended: true, endedAt: T('20 05:00:00'), startedAt: T('20 04:00:00') },
    { id: 23, blogId: 20, endpointId: 3, checkType: 'tls', state: 'Down', startedAt: T('20 04:00:00') },
    ...Array.from({ length: 12 }, (_, i) => ({
      id: 300 + i, blogId: 30, endpointId: i + 1, state: i === 5 ? 'Down' : 'Warning', severity: i === 5 ? 4 : 1,
      startedAt: T('21 00:00:00'), updatedAt: T('21 01:00:00'),
    })),
    { id: 320, blogId: 30, endpointId: 99, checkType: 'tls', state: 'Down', startedAt: T('21 00:00:00') },
    { id: 41, blogId: 40, endpointId: 1, state: 'Seems Down', severity: 3, startedAt: T('23 00:00:00'), updatedAt: T('23 00:05:00.005') },
  ],
  transitions: [
    { id: 1, eventId: 11, blogId: 10, stateBefore: 'Down', stateAfter: 'Resolved', reason: 'recovered', source: 'local', changedAt: T('20 10:00:00.750') },
    { id: 2, eventId: 21, blogId: 20, stateBefore: null, stateAfter: 'Seems Down', reason: 'opened', source: 'local', changedAt: T('20 06:00:00.125') },
    { id: 4, eventId: 21, blogId: 20, stateBefore: 'Seems Down', stateAfter: 'Down', reason: 'verifier_confirmed', source: 'veriflier-b', changedAt: T('20 06:30:00.250') },
    { id: 3, eventId: 22, blogId: 20, stateBefore: 'Down', stateAfter: 'Resolved', reason: 'same_time_smaller_id', source: 'local', changedAt: T('20 06:30:00.250') },
    { id: 5, eventId: 23, blogId: 20, stateBefore: 'Seems Down', stateAfter: 'Down', reason: 'tls_is_not_http', source: 'local', changedAt: T('25 00:00:00') },
    { id: 6, eventId: 21, blogId: 99, stateBefore: 'x', stateAfter: 'y', reason: 'other_blog', source: 'local', changedAt: T('26 00:00:00') },
    { id: 7, eventId: 305, blogId: 30, stateBefore: 'Seems Down', stateAfter: 'Down', reason: 'verifier_confirmed', source: 'veriflier-a', changedAt: T('21 01:00:00') },
  ],
};

test('each evidence field has its one right value, and the age is measured on the server clock', async () => {
  await withScratch(fixture, async ({ connection, env }) => {
    const { run, report, before, after } = await jsonRun(connection, env, ['--range', '0-9', '--limit', '0']);
    assert.is(run.status, 1, run.stderr);
    assert.equal(report.evidence_unavailable, []);
    const byBlog = new Map<number, Record<string, any>>(report.rows.map((row: any) => [row.blog_id, row]));
    assert.equal([...byBlog.keys()], [10, 20, 30, 40, 50]);
    const evidence = (blog: number) => checkedAge(byBlog.get(blog)!.evidence, before, after);

    assert.is(byBlog.get(10)!.cause, 'stale_legacy_down_projection');
    assert.equal(evidence(10), {
      drifting_since: iso('20 10:00:00.750'),
      last_status_change: iso('20 08:00:00'),
      event: null,
      open_http_events: null,
      open_http_events_more: null,
      latest_transition: { event_id: 11, changed_at: iso('20 10:00:00.750'), state_before: 'Down', state_after: 'Resolved', reason: 'recovered', source: 'local' },
      latest_closed_event: { id: 11, ended_at: iso('20 10:00:00.750'), resolution_reason: 'recovered' },
    });
    assert.is(byBlog.get(20)!.cause, 'missing_confirmed_down_projection');
    assert.equal(evidence(20), {
      drifting_since: iso('20 06:30:00.250'),
      last_status_change: iso('20 05:00:00'),
      event: { id: 21, started_at: iso('20 06:00:00.125'), updated_at: iso('20 06:30:00.250'), severity: 4 },
      open_http_events: null,
      open_http_events_more: null,
      latest_transition: { event_id: 21, changed_at: iso('20 06:30:00.250'), state_before: 'Seems Down', state_after: 'Down', reason: 'verifier_confirmed', source: 'veriflier-b' },
      latest_closed_event: null,
    });
    assert.is(byBlog.get(30)!.cause, 'multiple_open_http_events');
    assert.equal(evidence(30), {
      drifting_since: iso('22 12:00:00'),
      last_status_change: iso('22 12:00:00'),
      event: { id: 305, started_at: iso('21 00:00:00'), updated_at: iso('21 01:00:00'), severity: 4 },
      open_http_events: Array.from({ length: 10 }, (_, i) => ({ id: 300 + i, state: i === 5 ? 'Down' : 'Warning' })),
      open_http_events_more: 2,
      latest_transition: { event_id: 305, changed_at: iso('21 01:00:00'), state_before: 'Seems Down', state_after: 'Down', reason: 'verifier_confirmed', source: 'veriflier-a' },
      latest_closed_event: null,
    });
    assert.is(byBlog.get(40)!.cause, 'stale_confirmed_down_projection');
    assert.equal(evidence(40), {
      drifting_since: iso('23 00:05:00.005'),
      last_status_change: null,
      event: { id: 41, started_at: iso('23 00:00:00'), updated_at: iso('23 00:05:00.005'), severity: 3 },
      open_http_events: null,
      open_http_events_more: null,
      latest_transition: null,
      latest_closed_event: null,
    });
    assert.equal(evidence(50), {
      drifting_since: null, last_status_change: null, event: null, open_http_events: null, open_http_events_more: null,
      latest_transition: null, latest_closed_event: null,
    });

    // Text: one line per listed site, after every line of the report without evidence.
    const text = (await runCli(['--range', '0-9', '--limit', '0'], env)).stdout;
    const [report_, section] = text.split('\n## projection drift evidence\n');
    assert.ok(report_!.endsWith('FAIL legacy projection drift=5 in range 0-9\n'));
    const lines = section!.trimEnd().split('\n');
    assert.is(lines.length, 5);
    assert.match(lines[2]!, /^blog_id=30 drifting_since=2026-04-22T12:00:00\.000Z drifting_since_age_s=\d+ last_status_change=2026-04-22T12:00:00\.000Z event_id=305 /);
    assert.match(lines[2]!, / open_events=300:"Warning",301:"Warning",302:"Warning",303:"Warning",304:"Warning",305:"Down",306:"Warning",307:"Warning",308:"Warning",309:"Warning" open_events_more=2 /);
    assert.match(lines[0]!, / transition_from="Down" transition_to="Resolved" transition_reason="recovered" transition_source="local" closed_event_id=11 closed_ended_at=2026-04-20T10:00:00\.750Z closed_resolution_reason="recovered"$/);
    assert.is(
      lines[4]!,
      'blog_id=50 drifting_since=- drifting_since_age_s=- last_status_change=- event_id=- event_started_at=- event_updated_at=- event_severity=- ' +
        'transition_at=- transition_event_id=- transition_from=- transition_to=- transition_reason=- transition_source=-',
    );
  });
});

/** The keys of a text evidence line, in order; fails on anything that is not a well-formed field. */
function fieldKeys(line: string): string[] {
  const keys: string[] = [];
  const quoted = '"(?:[^"\\\\]|\\\\.)*"';
  const value = new RegExp(`^(?:${quoted}|\\d+:${quoted}(?:,\\d+:${quoted})*|[^ "]*)(?: |$)`);
  let rest = line;
  while (rest.length > 0) {
    const key = /^([a-z_]+)=/.exec(rest);
    assert.ok(key, `no key at: ${rest}`);
    keys.push(key[1]!);
    rest = rest.slice(key[0].length);
    const match = value.exec(rest);
    assert.ok(match, `malformed value at: ${rest}`);
    rest = rest.slice(match[0].length);
  }
  return keys;
}

/** Strings written to break lines, fields, tables, HTML and terminals, in the columns the evidence shows. */
const hostile = [
  'a"b\\c d=e',
  '|x|y|',
  '<script>alert(1)</script>',
  'line\nbreak\r\nx',
  '\u202eevil\u2066\u200f',
  '[l](javascript:alert(1)) http://e.vil',
  '\u001b[31mred\u009b0m\u0007',
  '  spaced  ',
];

test('hostile states, reasons and sources: terminal-safe text fields, Markdown cells, exact JSON', async () => {
  const sites = hostile.map((_, i) => ({ blogId: 600 + i, bucket: 6, siteStatus: 1 }));
  const events = hostile.map((state, i) => ({ id: 6000 + i, blogId: 600 + i, state: 'Down', resolutionReason: state }));
  const transitions = hostile.map((text, i) => ({
    eventId: 6000 + i, blogId: 600 + i, stateBefore: text.slice(0, 32), stateAfter: `${text}`.slice(0, 32), reason: text, source: text, changedAt: T('20 00:00:00'),
  }));
  // Two open events each for the first two blogs, so their open-event lists carry hostile states too.
  const extra = hostile.slice(0, 2).map((state, i) => ({ id: 6100 + i, blogId: 600 + i, endpointId: 7, state }));
  await withScratch({ sites, events: [...events, ...extra], transitions }, async ({ connection, env }) => {
    const { report } = await jsonRun(connection, env, ['--range', '6', '--limit', '0']);
    for (const [i, row] of report.rows.entries()) {
      const t = row.evidence.latest_transition;
      assert.equal([t.state_before, t.state_after, t.reason, t.source], [hostile[i]!.slice(0, 32), hostile[i]!.slice(0, 32), hostile[i], hostile[i]]);
    }
    assert.equal(report.rows[1].evidence.open_http_events.map((e: { state: string }) => e.state), ['Down', hostile[1]]);

    const text = (await runCli(['--range', '6', '--limit', '0'], env)).stdout;
    const section = text.split('\n## projection drift evidence\n')[1]!;
    assert.not.match(section, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
    const lines = section.trimEnd().split('\n');
    assert.is(lines.length, hostile.length);
    // Every field is key=value, key="..." (\ and " escaped) or a list of id:"..." items: a parser recovers each key once.
    for (const line of lines) {
      const keys = fieldKeys(line);
      assert.equal(keys.filter((k) => k.startsWith('transition_')), ['transition_at', 'transition_event_id', 'transition_from', 'transition_to', 'transition_reason', 'transition_source'], line);
    }
    assert.match(lines[0]!, ' transition_reason="a\\"b\\\\c d=e" ');

    const markdown = (await runCli(['--range', '6', '--limit', '0', '--format', 'markdown'], env)).stdout;
    const evidenceMd = markdown.slice(markdown.indexOf('## Evidence'));
    const md = new MarkdownIt({ html: true, linkify: true });
    const tokens = md.parse(evidenceMd, {});
    assert.not.ok(tokens.some((t) => t.type === 'html_block' || t.children?.some((c) => c.type === 'html_inline' || c.type === 'link_open')));
    const rows = tableRowCells(tokens);
    assert.equal(rows, Array(hostile.length + 1).fill(8));
    assert.not.match(md.render(evidenceMd), /<script|<a /);
  });
});

test('--no-evidence: no evidence statement runs; text and Markdown end where their evidence section would start; JSON rows say null and why', async () => {
  await withScratch(fixture, async ({ connection, env }) => {
    const args = ['--range', '0-9', '--limit', '0'];
    const text = await runCli(args, env);
    const bare = await runCli([...args, '--no-evidence'], env);
    assert.is(bare.status, text.status);
    assert.is(bare.stderr, '');
    assert.is(bare.stdout, text.stdout.slice(0, text.stdout.indexOf('\n\n## projection drift evidence\n') + 1));
    const markdown = await runCli([...args, '--format', 'markdown'], env);
    const bareMarkdown = await runCli([...args, '--format', 'markdown', '--no-evidence'], env);
    assert.ok(markdown.stdout.includes('## Evidence'));
    assert.not.ok(bareMarkdown.stdout.includes('Evidence'), bareMarkdown.stdout);
    const { report } = await jsonRun(connection, env, [...args, '--no-evidence']);
    const { report: full } = await jsonRun(connection, env, args);
    assert.equal(report.evidence_unavailable, [{ part: 'all', reason: 'not_requested', message: 'evidence was not read: the run was started with --no-evidence' }]);
    assert.ok(report.rows.length === 5 && report.rows.every((row: any) => row.evidence === null));
    assert.equal(report.rows.map(({ evidence: _e, ...row }: any) => row), full.rows.map(({ evidence: _e, ...row }: any) => row));
    assert.equal(report.timings.statements.map((s: any) => s.name), ['drift_per_site']);
  });
});

test('a missing transitions table: the report runs with the same exit code, says so once, and shows the rest', async () => {
  await withScratch(fixture, async ({ connection, env }) => {
    await connection.query('DROP TABLE jetmon_event_transitions');
    const text = await runCli(['--range', '0-9', '--limit', '0'], env);
    assert.is(text.status, 1, text.stderr);
    assert.is(text.stderr, '');
    assert.is(text.stdout.split('projection_drift_evidence_unavailable').length, 2, 'said once');
    assert.match(text.stdout, /^INFO projection_drift_evidence_unavailable=transitions reason=missing_table note="table jetmon_event_transitions does not exist/m);
    assert.match(text.stdout, /^blog_id=10 .* transition_at=- .* closed_event_id=11 /m);
    const { report } = await jsonRun(connection, env, ['--range', '0-9', '--limit', '0']);
    assert.equal(report.evidence_unavailable.map((gap: any) => [gap.part, gap.reason]), [['transitions', 'missing_table']]);
    assert.ok(report.rows.every((row: any) => row.evidence.latest_transition === null));
    assert.is(report.rows[0].evidence.latest_closed_event.id, 11);
    assert.is(report.timings.statements.filter((s: any) => s.name === 'drift_evidence_transitions').length, 0);
    const markdown = await runCli(['--range', '0-9', '--limit', '0', '--format', 'markdown'], env);
    assert.is(markdown.status, 1);
    assert.is(markdown.stdout.split('Transition evidence unavailable').length, 2);
  });
});

test('a user with SELECT on the two report tables only: same exit code, transitions said unavailable once; the third grant shows them', async () => {
  await withScratch(fixture, async ({ connection, database, env }) => {
    const two = ['jetpack_monitor_sites', 'jetmon_events'].map((table) => `\`${database}\`.${table}`);
    await withTemporaryUser(connection, 'pd_ev', two, async (user) => {
      const asUser = { ...env, DB_USER: user.name, DB_PASSWORD: user.password };
      const run = await runCli(['--range', '0-9', '--limit', '0', '--format', 'json'], asUser);
      assert.is(run.status, 1, run.stderr);
      const report = assertValidJsonReport(run.stdout);
      assert.equal(report.evidence_unavailable.map((gap: any) => [gap.part, gap.reason]), [['transitions', 'no_privilege']]);
      assert.match(report.evidence_unavailable[0].message, /GRANT SELECT/);
      assert.is(report.rows.find((row: any) => row.blog_id === 20).evidence.event.id, 21);
      const text = await runCli(['--range', '0-9', '--limit', '0'], asUser);
      assert.is(text.status, 1);
      assert.is(text.stdout.split('projection_drift_evidence_unavailable').length, 2);
      assert.match(text.stdout, /reason=no_privilege/);
    });
    const three = [...two, `\`${database}\`.jetmon_event_transitions`];
    await withTemporaryUser(connection, 'pd_ev3', three, async (user) => {
      const asUser = await runCli(['--range', '0-9', '--limit', '0'], { ...env, DB_USER: user.name, DB_PASSWORD: user.password });
      const asRoot = await runCli(['--range', '0-9', '--limit', '0'], env);
      assert.is(asUser.status, 1);
      assert.is(asUser.stdout.replace(/drifting_since_age_s=\d+/g, ''), asRoot.stdout.replace(/drifting_since_age_s=\d+/g, ''));
    });
  });
});

test('evidence equals an independent computation from the fixture rows, over random data (more than one batch of sites)', async () => {
  const random = seededRandom(Number(process.env.EVIDENCE_SEED ?? 20261129));
  const pick = <V>(list: readonly V[]) => list[Math.floor(random() * list.length)]!;
  // Few distinct times, so ties on changed_at and ended_at happen and the id must break them.
  const time = () => T(`${pick(['20', '21'])} 0${pick(['1', '2'])}:00:00${pick(['', '.500'])}`);
  const sites: SiteFixture[] = [];
  const events: EventFixture[] = [];
  const transitions: TransitionFixture[] = [];
  let eventId = 1;
  let transitionId = 1;
  // About half the sites drift: 2.4 batches of sites list more than one batch of drifting sites.
  for (let i = 0; i < EVIDENCE_BATCH * 2.4; i++) {
    const blogId = 1000 + i;
    sites.push({ blogId, bucket: i % 3, siteStatus: pick([0, 1, 2]), lastStatusChange: random() < 0.3 ? null : time().slice(0, 19) });
    const count = Math.floor(random() * 4);
    for (let e = 0; e < count; e++) {
      const ended = random() < 0.4;
      const event: EventFixture = {
        id: eventId++, blogId, endpointId: e + 1, checkType: pick(['http', 'http', 'http', 'HTTP', 'tls']), state: pick(['Down', 'Seems Down', 'Warning']),
        severity: pick([0, 3, 4]), startedAt: time(), updatedAt: time(), ended, resolutionReason: ended ? pick([null, 'recovered', 'false_alarm']) : null,
      };
      if (ended) event.endedAt = time();
      events.push(event);
      for (let t = Math.floor(random() * 3); t > 0; t--) {
        transitions.push({ id: transitionId++, eventId: event.id!, blogId, stateBefore: pick([null, 'Seems Down']), stateAfter: pick(['Down', 'Resolved']), reason: pick(['a', 'b']), source: pick(['local', 'v']), changedAt: time() });
      }
    }
  }
  const isHttp = (e: EventFixture) => (e.checkType ?? 'http') === 'http';
  const eventById = new Map(events.map((e) => [Number(e.id), e]));
  const isoOf = (value: string | null | undefined) => (value ? `${value.replace(' ', 'T')}${value.length === 19 ? '.000' : ''}Z` : null);
  const latest = <V>(list: V[], key: (v: V) => string, id: (v: V) => number) =>
    list.reduce<V | null>((best, v) => (best === null || key(v) > key(best) || (key(v) === key(best) && id(v) > id(best)) ? v : best), null);
  await withScratch({ sites, events, transitions }, async ({ connection, env }) => {
    const { run, report, before, after } = await jsonRun(connection, env, ['--range', '0-2', '--limit', '0']);
    assert.is(run.status, report.drift_count > 0 ? 1 : 0);
    assert.ok(report.rows.length > EVIDENCE_BATCH, `more than one batch of listed sites: ${report.rows.length}`);
    for (const row of report.rows) {
      const blogId = Number(row.blog_id);
      const site = sites.find((s) => Number(s.blogId) === blogId)!;
      const mine = events.filter((e) => Number(e.blogId) === blogId && isHttp(e));
      const open = mine.filter((e) => !e.ended).sort((a, b) => Number(a.id) - Number(b.id));
      const representative = row.event_id === null ? null : eventById.get(Number(row.event_id))!;
      const transition = latest(
        transitions.filter((t) => Number(t.blogId) === blogId && isHttp(eventById.get(Number(t.eventId))!)),
        (t) => t.changedAt, (t) => Number(t.id),
      );
      const closed = ['stale_legacy_down_projection', 'stale_confirmed_down_projection'].includes(row.cause)
        ? latest(mine.filter((e) => e.ended), (e) => e.endedAt!, (e) => Number(e.id))
        : null;
      const expected = {
        last_status_change: isoOf(site.lastStatusChange),
        event: representative && { id: Number(representative.id), started_at: isoOf(representative.startedAt), updated_at: isoOf(representative.updatedAt), severity: representative.severity },
        open_http_events: row.cause === 'multiple_open_http_events' ? open.slice(0, 10).map((e) => ({ id: Number(e.id), state: e.state })) : null,
        open_http_events_more: row.cause === 'multiple_open_http_events' ? Math.max(0, open.length - 10) : null,
        latest_transition: transition && {
          event_id: Number(transition.eventId), changed_at: isoOf(transition.changedAt), state_before: transition.stateBefore,
          state_after: transition.stateAfter, reason: transition.reason, source: transition.source,
        },
        latest_closed_event: closed && { id: Number(closed.id), ended_at: isoOf(closed.endedAt), resolution_reason: closed.resolutionReason },
      };
      const candidates = [expected.last_status_change, expected.event?.updated_at, expected.latest_transition?.changed_at, expected.latest_closed_event?.ended_at]
        .filter((v): v is string => typeof v === 'string')
        .sort();
      const { drifting_since, ...rest } = checkedAge(row.evidence, before, after);
      assert.equal(rest, expected, `blog ${blogId}`);
      assert.is(drifting_since, candidates.at(-1) ?? null, `blog ${blogId}`);
    }
  });
});

test.run();
