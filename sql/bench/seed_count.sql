-- name: seed_count
-- Baseline (the seed's approach, reconstructed): counts the drifting active
-- sites of the range. Every active site of the range is LEFT JOINed to its
-- open HTTP events, rolled up per site with GROUP BY, then filtered to the
-- sites whose site_status differs from the expected status. The same per-site
-- rollup opens all three seed statements (seed_summary.sql, seed_rows.sql).
-- Only for the benchmark; the product's statements are in sql/v1.
-- Returns one row: drift_rows.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range).
SELECT COUNT(*) AS drift_rows
FROM (
  SELECT s.jetpack_monitor_site_id,
         s.blog_id,
         s.bucket_no,
         s.site_status,
         CASE WHEN SUM(CASE WHEN e.state = 'Down' THEN 1 ELSE 0 END) > 0 THEN 2
              WHEN SUM(CASE WHEN e.state = 'Seems Down' THEN 1 ELSE 0 END) > 0 THEN 0
              ELSE 1 END AS expected_status,
         CASE WHEN SUM(CASE WHEN e.state = 'Down' THEN 1 ELSE 0 END) > 0 THEN 'Down'
              WHEN SUM(CASE WHEN e.state = 'Seems Down' THEN 1 ELSE 0 END) > 0 THEN 'Seems Down'
              ELSE MIN(e.state) END AS event_state,
         COALESCE(MIN(CASE WHEN e.state = 'Down' THEN e.id END),
                  MIN(CASE WHEN e.state = 'Seems Down' THEN e.id END),
                  MIN(e.id)) AS event_id,
         COUNT(e.id) AS open_event_count
  FROM jetpack_monitor_sites AS s
  LEFT JOIN jetmon_events AS e
    ON e.blog_id = s.blog_id AND e.ended_at IS NULL AND e.check_type = 'http'
  WHERE s.bucket_no BETWEEN :bucket_min AND :bucket_max
    AND s.monitor_active = 1
  GROUP BY s.jetpack_monitor_site_id, s.blog_id, s.bucket_no, s.site_status
) AS per_site
WHERE per_site.site_status <> per_site.expected_status
