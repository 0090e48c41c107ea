-- name: drift_rows
-- Lists the drifting sites of buckets :bucket_min..:bucket_max one by one, ordered by
-- bucket, then blog_id, at most :row_limit of them. Each row also carries how many
-- drifting sites those buckets hold in all (before the limit), which the report checks
-- against the summary as a guard.
-- Returns: blog_id, bucket_no, site_status, expected_status, event_id, open_event_count,
-- cause, event_state, range_drift_rows.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range), :row_limit (rows returned).
WITH open_http_rollup AS (
  -- One row per blog with open HTTP events. States and check types compare byte for byte:
  -- 'down' or 'Down ' is not Down. The hints keep MariaDB from walking a blog_id index
  -- over every event (closed ones included) just to group in order: a scan is far cheaper
  -- when the whole rollup is built, and idx_blog_id_active serves per-blog lookups.
  SELECT e.blog_id,
         COUNT(*) AS open_event_count,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Down' THEN e.id END) AS down_event_id,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Seems Down' THEN e.id END) AS seems_down_event_id,
         MIN(e.id) AS first_event_id,
         MIN(CAST(e.state AS BINARY)) AS first_state
  FROM jetmon_events AS e
    IGNORE INDEX FOR JOIN (idx_blog_id_started)
    IGNORE INDEX FOR GROUP BY (idx_blog_id_started, idx_blog_id_active)
  WHERE e.ended_at IS NULL
    AND CAST(e.check_type AS BINARY) = 'http'
  GROUP BY e.blog_id
),
site_drift AS (
  -- Active sites of the range, each with the status its open HTTP events call for
  -- (the per-site rollup), kept when the legacy site_status disagrees.
  SELECT s.jetpack_monitor_site_id, s.blog_id, s.bucket_no, s.site_status,
         CASE WHEN r.down_event_id IS NOT NULL THEN 2
              WHEN r.seems_down_event_id IS NOT NULL THEN 0
              ELSE 1 END AS expected_status,
         CASE WHEN r.down_event_id IS NOT NULL THEN CAST('Down' AS BINARY)
              WHEN r.seems_down_event_id IS NOT NULL THEN CAST('Seems Down' AS BINARY)
              ELSE r.first_state END AS event_state,
         COALESCE(r.down_event_id, r.seems_down_event_id, r.first_event_id) AS event_id,
         COALESCE(r.open_event_count, 0) AS open_event_count
  FROM jetpack_monitor_sites AS s
  LEFT JOIN open_http_rollup AS r ON r.blog_id = s.blog_id
  WHERE s.bucket_no BETWEEN :bucket_min AND :bucket_max
    AND s.monitor_active = 1
    AND NOT (s.site_status <=> CASE WHEN r.down_event_id IS NOT NULL THEN 2
                                    WHEN r.seems_down_event_id IS NOT NULL THEN 0
                                    ELSE 1 END)
),
classified_drift AS (
  -- Each drifting site classified once: the first matching rule wins.
  SELECT sd.*,
         CASE
           WHEN sd.site_status IS NULL OR sd.site_status NOT IN (0, 1, 2)
                OR sd.expected_status NOT IN (0, 1, 2) THEN 'unexpected_projection_value'
           WHEN sd.open_event_count > 1 THEN 'multiple_open_http_events'
           WHEN sd.expected_status = 1 AND sd.site_status <> 1 THEN 'stale_legacy_down_projection'
           WHEN sd.expected_status = 2 AND sd.site_status = 1 THEN 'missing_confirmed_down_projection'
           WHEN sd.expected_status = 0 AND sd.site_status = 1 THEN 'missing_seems_down_projection'
           WHEN sd.expected_status = 2 AND sd.site_status = 0 THEN 'missing_confirmed_promotion'
           WHEN sd.expected_status = 0 AND sd.site_status = 2 THEN 'stale_confirmed_down_projection'
           WHEN sd.event_state IS NOT NULL THEN 'unexpected_open_event_projection'
           ELSE 'unexpected_projection_value'
         END AS cause
  FROM site_drift AS sd
)
, counted_drift AS (
  -- The window makes the count cover every drifting site of the range, not just the
  -- listed ones, and keeps the ordering below from steering how sites are read.
  SELECT cd.*, COUNT(*) OVER () AS range_drift_rows
  FROM classified_drift AS cd
)
SELECT c.blog_id,
       c.bucket_no,
       c.site_status,
       c.expected_status,
       c.event_id,
       c.open_event_count,
       c.cause,
       CONVERT(c.event_state USING utf8mb4) AS event_state,
       c.range_drift_rows
FROM counted_drift AS c
ORDER BY c.bucket_no, c.blog_id, c.jetpack_monitor_site_id
LIMIT :row_limit
