-- name: drift_per_site
-- The drifting sites of buckets :bucket_min..:bucket_max, found site by site: the plan for narrow
-- ranges. The range's active sites are read through the bucket index, and each one's open HTTP
-- events are looked up through its blog_id (idx_blog_id_active) and folded per site, so the cost
-- grows with the range's sites, not with the table. A site drifts when its legacy site_status is not
-- the status its open HTTP events call for: 2 with an open Down event, else 0 with an open Seems
-- Down event, else 1 (no open HTTP event at all included).
-- Returns one row per drifting site in listing order (bucket_no, blog_id, site_id): site_id,
-- blog_id, bucket_no, site_status, expected_status, event_id, open_event_count, cause, event_state.
-- event_id and event_state describe one event: the smallest id among the site's open Down events,
-- else Seems Down events, else all its open HTTP events; both NULL when it has none. States and
-- check types compare byte for byte: 'down' or 'Down ' is not Down. src/report/drift_queries.ts
-- folds the rows into the summary.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range).
WITH site_events AS (
  -- One row per active site of the range that could drift, with the rollup of its open HTTP events
  -- (a join, then a GROUP BY on the site's primary key: portable, no lateral join needed). The hint keeps the
  -- lookup on idx_blog_id_active (blog_id, ended_at), which finds a blog's open events alone;
  -- idx_blog_id_started would read its closed ones too, each from the table.
  SELECT s.jetpack_monitor_site_id AS site_id, s.blog_id, s.bucket_no, s.site_status,
         COUNT(e.id) AS open_event_count,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Down' THEN e.id END) AS down_event_id,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Seems Down' THEN e.id END) AS seems_down_event_id,
         MIN(e.id) AS first_event_id
  FROM jetpack_monitor_sites AS s
  LEFT JOIN jetmon_events AS e IGNORE INDEX FOR JOIN (idx_blog_id_started)
    ON e.blog_id = s.blog_id
   AND e.ended_at IS NULL
   AND CAST(e.check_type AS BINARY) = 'http'
  WHERE s.bucket_no BETWEEN :bucket_min AND :bucket_max
    AND s.monitor_active = 1
    -- A running site without an open HTTP event cannot drift: it leaves before the grouping, so
    -- only the candidates (a few percent of the sites) reach the temporary table.
    AND (s.site_status <> 1 OR e.id IS NOT NULL)
  GROUP BY s.jetpack_monitor_site_id, s.blog_id, s.bucket_no, s.site_status
),
site_drift AS (
  SELECT se.*,
         CASE WHEN se.down_event_id IS NOT NULL THEN 2
              WHEN se.seems_down_event_id IS NOT NULL THEN 0
              ELSE 1 END AS expected_status
  FROM site_events AS se
)
-- The state of the listed event, read by its primary key only when it is neither Down nor Seems Down.
SELECT sd.site_id, sd.blog_id, sd.bucket_no, sd.site_status, sd.expected_status,
       COALESCE(sd.down_event_id, sd.seems_down_event_id, sd.first_event_id) AS event_id,
       sd.open_event_count,
       -- The cause: the monitor's rules, first match wins, kept whole for compatibility. Three of
       -- its tests never fire here: expected_status is 0, 1 or 2 by construction, site_status is in
       -- 0..2 past the first rule, and the two differ (drift), so the pair is one of the six pairs
       -- (0,1) (2,1) (1,2) (1,0) (0,2) (2,0), which the five rules after the second cover one by one.
       CASE
         WHEN sd.site_status NOT IN (0, 1, 2) OR sd.expected_status NOT IN (0, 1, 2) THEN 'unexpected_projection_value'
         WHEN sd.open_event_count > 1 THEN 'multiple_open_http_events'
         WHEN sd.expected_status = 1 AND sd.site_status <> 1 THEN 'stale_legacy_down_projection'
         WHEN sd.expected_status = 2 AND sd.site_status = 1 THEN 'missing_confirmed_down_projection'
         WHEN sd.expected_status = 0 AND sd.site_status = 1 THEN 'missing_seems_down_projection'
         WHEN sd.expected_status = 2 AND sd.site_status = 0 THEN 'missing_confirmed_promotion'
         WHEN sd.expected_status = 0 AND sd.site_status = 2 THEN 'stale_confirmed_down_projection'
         WHEN sd.first_event_id IS NOT NULL THEN 'unexpected_open_event_projection'
         ELSE 'unexpected_projection_value'
       END AS cause,
       CASE WHEN sd.down_event_id IS NOT NULL THEN 'Down'
            WHEN sd.seems_down_event_id IS NOT NULL THEN 'Seems Down'
            ELSE fe.state END AS event_state
FROM site_drift AS sd
LEFT JOIN jetmon_events AS fe
  ON fe.id = sd.first_event_id
 AND sd.down_event_id IS NULL
 AND sd.seems_down_event_id IS NULL
WHERE sd.site_status <> sd.expected_status
ORDER BY sd.bucket_no, sd.blog_id, sd.site_id
