import type { EventFixture, SiteFixture } from '../../src/fixtures/database.js';

/**
 * Data behind the seed's example report (range 0-99, --limit 1): two running sites in bucket 7 with
 * an open Down event, one seems-down site in bucket 8 with no open event, and noise that must not count.
 */
export const seedFixture: { sites: SiteFixture[]; events: EventFixture[] } = {
  sites: [
    { blogId: 42, bucket: 7, siteStatus: 1 },
    { blogId: 57, bucket: 7, siteStatus: 1 },
    { blogId: 43, bucket: 8, siteStatus: 0 },
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
    { id: 123, blogId: 42, endpointId: 1, state: 'Down' },
    { id: 130, blogId: 57, endpointId: 1, state: 'Down' },
    { id: 124, blogId: 44, endpointId: 1, state: 'Down' },
    { id: 125, blogId: 45, endpointId: 1, state: 'Down', ended: true },
    { id: 126, blogId: 43, endpointId: 1, state: 'Seems Down', ended: true },
    { id: 127, blogId: 48, endpointId: 1, checkType: 'tls', state: 'Down' },
  ],
};
