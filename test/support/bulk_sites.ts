import type { Connection } from 'mysql2/promise';

/**
 * Fills jetpack_monitor_sites with `thousands` x 1000 running sites spread over 1000 buckets, every
 * 50th with an open Down event, using a cross join of digits (portable, no recursion limits).
 */
export async function insertManySites(connection: Connection, thousands: number): Promise<void> {
  const digits = 'SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9';
  await connection.query(
    `INSERT INTO jetpack_monitor_sites (blog_id, bucket_no, site_status)
     SELECT 1000000 + n, n % 1000, 1 FROM (
       SELECT a.d + 10 * b.d + 100 * c.d + 1000 * t.n AS n
       FROM (${digits}) a CROSS JOIN (${digits}) b CROSS JOIN (${digits}) c
       CROSS JOIN (SELECT seq.d AS n FROM (${digits} UNION ALL SELECT 10 + d FROM (${digits}) x UNION ALL SELECT 20 + d FROM (${digits}) y) seq) t
       WHERE t.n < ?
     ) numbers`,
    [thousands],
  );
  await connection.query(
    `INSERT INTO jetmon_events (blog_id, endpoint_id, check_type, state)
     SELECT blog_id, 1, 'http', 'Down' FROM jetpack_monitor_sites WHERE blog_id % 50 = 0`,
  );
}
