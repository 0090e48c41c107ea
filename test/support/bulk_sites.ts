import type { Connection } from 'mysql2/promise';

const digits =
  'SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 ' +
  'UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9';

/**
 * Fills jetpack_monitor_sites with `thousands` x 1000 sites (at most 100,000) of the given status spread
 * over 1000 buckets, every 50th with an open Down event, using cross joins of digits (portable, no recursion).
 */
export async function insertManySites(connection: Connection, thousands: number, siteStatus = 1): Promise<void> {
  await connection.query(
    `INSERT INTO jetpack_monitor_sites (blog_id, bucket_no, monitor_url, site_status)
     SELECT 1000000 + n, n % 1000, CONCAT('https://blog-', n, '.example/'), ? FROM (
       SELECT a.d + 10 * b.d + 100 * c.d + 1000 * (e.d + 10 * f.d) AS n
       FROM (${digits}) a CROSS JOIN (${digits}) b CROSS JOIN (${digits}) c
       CROSS JOIN (${digits}) e CROSS JOIN (${digits}) f
       WHERE e.d + 10 * f.d < ?
     ) numbers`,
    [siteStatus, thousands],
  );
  await connection.query(
    `INSERT INTO jetmon_events (blog_id, endpoint_id, check_type, severity, state)
     SELECT blog_id, 1, 'http', 4, 'Down' FROM jetpack_monitor_sites WHERE blog_id % 50 = 0`,
  );
}
