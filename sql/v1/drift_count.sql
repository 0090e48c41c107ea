-- name: drift_count
-- Counts the active sites of buckets :bucket_min..:bucket_max whose legacy
-- site_status differs from the status their open HTTP events call for.
-- Returns one row: drift_rows.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range).
WITH range_sites AS (
  -- Active site rows of the requested buckets: the only rows that can drift.
  SELECT s.jetpack_monitor_site_id, s.blog_id, s.bucket_no, s.site_status
  FROM jetpack_monitor_sites AS s
  WHERE s.bucket_no BETWEEN :bucket_min AND :bucket_max
    AND s.monitor_active = 1
),
open_http_rollup AS (
  -- One row per blog with open HTTP events, over blogs of the range only.
  -- States and check types compare byte for byte: 'down' or 'Down ' is not Down.
  SELECT e.blog_id,
         COUNT(*) AS open_event_count,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Down' THEN e.id END) AS down_event_id,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Seems Down' THEN e.id END) AS seems_down_event_id,
         MIN(e.id) AS first_event_id,
         MIN(CAST(e.state AS BINARY)) AS first_state
  FROM jetmon_events AS e
  WHERE e.ended_at IS NULL
    AND CAST(e.check_type AS BINARY) = 'http'
    AND e.blog_id IN (SELECT rs.blog_id FROM range_sites AS rs)
  GROUP BY e.blog_id
),
site_expectation AS (
  -- The per-site rollup: what site_status should be, given the open events.
  SELECT rs.jetpack_monitor_site_id, rs.blog_id, rs.bucket_no, rs.site_status,
         CASE WHEN r.down_event_id IS NOT NULL THEN 2
              WHEN r.seems_down_event_id IS NOT NULL THEN 0
              ELSE 1 END AS expected_status,
         CASE WHEN r.down_event_id IS NOT NULL THEN CAST('Down' AS BINARY)
              WHEN r.seems_down_event_id IS NOT NULL THEN CAST('Seems Down' AS BINARY)
              ELSE r.first_state END AS event_state,
         COALESCE(r.down_event_id, r.seems_down_event_id, r.first_event_id) AS event_id,
         COALESCE(r.open_event_count, 0) AS open_event_count
  FROM range_sites AS rs
  LEFT JOIN open_http_rollup AS r ON r.blog_id = rs.blog_id
),
site_drift AS (
  -- Sites whose projection disagrees, each classified once (first rule wins).
  SELECT se.*,
         CASE
           WHEN se.site_status IS NULL OR se.site_status NOT IN (0, 1, 2)
                OR se.expected_status NOT IN (0, 1, 2) THEN 'unexpected_projection_value'
           WHEN se.open_event_count > 1 THEN 'multiple_open_http_events'
           WHEN se.expected_status = 1 AND se.site_status <> 1 THEN 'stale_legacy_down_projection'
           WHEN se.expected_status = 2 AND se.site_status = 1 THEN 'missing_confirmed_down_projection'
           WHEN se.expected_status = 0 AND se.site_status = 1 THEN 'missing_seems_down_projection'
           WHEN se.expected_status = 2 AND se.site_status = 0 THEN 'missing_confirmed_promotion'
           WHEN se.expected_status = 0 AND se.site_status = 2 THEN 'stale_confirmed_down_projection'
           WHEN se.event_state IS NOT NULL THEN 'unexpected_open_event_projection'
           ELSE 'unexpected_projection_value'
         END AS cause
  FROM site_expectation AS se
  WHERE NOT (se.site_status <=> se.expected_status)
)
SELECT COUNT(*) AS drift_rows
FROM site_drift
