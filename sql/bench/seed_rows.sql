-- name: seed_rows
-- Baseline (the seed's approach, reconstructed): the drifting sites of the
-- range one by one with their cause, ordered by bucket and blog_id, at most
-- :row_limit of them. Same per-site rollup as seed_count.sql: LEFT JOIN of
-- every active site of the range to its open HTTP events, GROUP BY site.
-- Only for the benchmark; the product's statements are in sql/v1.
-- Returns: blog_id, bucket_no, site_status, expected_status, event_id,
-- open_event_count, cause, event_state.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range), :row_limit.
SELECT per_site.blog_id,
       per_site.bucket_no,
       per_site.site_status,
       per_site.expected_status,
       per_site.event_id,
       per_site.open_event_count,
       CASE
         WHEN per_site.site_status NOT IN (0, 1, 2) OR per_site.expected_status NOT IN (0, 1, 2)
           THEN 'unexpected_projection_value'
         WHEN per_site.open_event_count > 1 THEN 'multiple_open_http_events'
         WHEN per_site.expected_status = 1 AND per_site.site_status <> 1 THEN 'stale_legacy_down_projection'
         WHEN per_site.expected_status = 2 AND per_site.site_status = 1 THEN 'missing_confirmed_down_projection'
         WHEN per_site.expected_status = 0 AND per_site.site_status = 1 THEN 'missing_seems_down_projection'
         WHEN per_site.expected_status = 2 AND per_site.site_status = 0 THEN 'missing_confirmed_promotion'
         WHEN per_site.expected_status = 0 AND per_site.site_status = 2 THEN 'stale_confirmed_down_projection'
         WHEN per_site.event_state IS NOT NULL THEN 'unexpected_open_event_projection'
         ELSE 'unexpected_projection_value'
       END AS cause,
       per_site.event_state
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
ORDER BY per_site.bucket_no, per_site.blog_id
LIMIT :row_limit
