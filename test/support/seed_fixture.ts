import type { EventFixture, SiteFixture, TransitionFixture } from '../../src/fixtures/database.js';

/**
 * Data behind the seed's example report (range 0-99, --limit 1): two running sites in bucket 7 with
 * an open Down event, one seems-down site in bucket 8 with no open event, and noise that must not count.
 * Fixed times (UTC) and the monitor's history of the drifting sites' events give the evidence one
 * value each: blog 42's drift is at least as old as the verifier's Seems Down -> Down transition of
 * event 123 (the projection was last written before it); blog 43's last close came after its
 * projection write.
 */
export const seedFixture: { sites: SiteFixture[]; events: EventFixture[]; transitions: TransitionFixture[] } = {
  sites: [
    { blogId: 42, bucket: 7, siteStatus: 1, lastStatusChange: '2026-04-30 09:00:00' },
    { blogId: 57, bucket: 7, siteStatus: 1, lastStatusChange: '2026-04-30 09:30:00' },
    { blogId: 43, bucket: 8, siteStatus: 0, lastStatusChange: '2026-04-30 08:00:00' },
    // In agreement: a confirmed-down site with its Down event, a running site with a closed event.
    { blogId: 44, bucket: 7, siteStatus: 2 },
    { blogId: 45, bucket: 9, siteStatus: 1 },
    // Inactive drift is never drift.
    { blogId: 46, bucket: 8, siteStatus: 0, active: false },
    // Drift outside the range does not count.
    { blogId: 47, bucket: 100, siteStatus: 0 },
    // A running site whose only open event is not an HTTP check.
    { blogId: 48, bucket: 9, siteStatus: 1 },
  ],
  events: [
    { id: 123, blogId: 42, endpointId: 1, state: 'Down', severity: 4, startedAt: '2026-04-30 10:15:00.250', updatedAt: '2026-04-30 10:20:00.500' },
    { id: 130, blogId: 57, endpointId: 1, state: 'Down', severity: 4, startedAt: '2026-04-30 10:40:00.000', updatedAt: '2026-04-30 10:45:00.000' },
    { id: 124, blogId: 44, endpointId: 1, state: 'Down' },
    { id: 125, blogId: 45, endpointId: 1, state: 'Down', ended: true },
    {
      id: 126, blogId: 43, endpointId: 1, state: 'Seems Down', severity: 3, startedAt: '2026-04-30 07:55:00.000',
      updatedAt: '2026-04-30 11:00:00.000', ended: true, endedAt: '2026-04-30 11:00:00.000', resolutionReason: 'false_alarm',
    },
    { id: 127, blogId: 48, endpointId: 1, checkType: 'tls', state: 'Down' },
  ],
  transitions: [
    { eventId: 123, blogId: 42, stateBefore: null, stateAfter: 'Seems Down', reason: 'opened', source: 'local', changedAt: '2026-04-30 10:15:00.250' },
    { eventId: 123, blogId: 42, stateBefore: 'Seems Down', stateAfter: 'Down', reason: 'verifier_confirmed', source: 'veriflier-ams', changedAt: '2026-04-30 10:20:00.500' },
    { eventId: 126, blogId: 43, stateBefore: null, stateAfter: 'Seems Down', reason: 'opened', source: 'local', changedAt: '2026-04-30 07:55:00.000' },
    { eventId: 126, blogId: 43, stateBefore: 'Seems Down', stateAfter: 'Resolved', reason: 'false_alarm', source: 'veriflier-ams', changedAt: '2026-04-30 11:00:00.000' },
  ],
};
