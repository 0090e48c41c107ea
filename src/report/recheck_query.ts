import { readCount, readId, type Columns } from '../db/decode.js';
import type { SnapshotSession } from '../db/snapshot.js';
import { bindNamedQuery, loadNamedQuery, type NamedQuery } from '../db/sql_loader.js';
import { perSiteLookups, QUERY_VERSION, type DriftRequest } from './drift_queries.js';
import type { RecheckedRow } from './recheck.js';

/** Loads sql/<version>/drifting_sites.sql (new in v5), before any connection is made. */
export function loadDriftingSitesQuery(version: string = QUERY_VERSION): NamedQuery {
  return loadNamedQuery(version, 'drifting_sites');
}

const decode = (row: Columns): RecheckedRow => ({
  blogId: readId(row, 'blog_id'),
  bucket: readCount(row, 'bucket_no'),
  siteStatus: readCount(row, 'site_status'),
  expectedStatus: readCount(row, 'expected_status'),
  cause: String(row.cause),
});

/**
 * Streams every drifting site of a range, in the report's listing order, as the report classifies
 * it: what a re-check compares. Its statement has no summary and no windows, so it costs about one
 * scan of the range however many sites drift (docs/performance.md).
 */
export async function* readDriftingSites(
  session: SnapshotSession,
  query: NamedQuery,
  request: Pick<DriftRequest, 'bucketMin' | 'bucketMax' | 'bucketTotal'>,
): AsyncGenerator<RecheckedRow[]> {
  await session.usePerSiteLookups(perSiteLookups(request));
  const statement = bindNamedQuery(query, { bucket_min: request.bucketMin, bucket_max: request.bucketMax });
  for await (const batch of session.stream('drifting_sites', statement)) yield batch.map(decode);
}
