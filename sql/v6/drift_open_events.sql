-- name: drift_open_events
-- The drifting sites of buckets :bucket_min..:bucket_max that have open HTTP events, found from
-- the events: the first half of the plan for wide ranges on large tables with a blog_id index
-- (drift_stale_sites is the other; src/report/drift_queries.ts says when). The open
-- HTTP events are folded per blog once (a few percent of the sites have any), and only those blogs'
-- sites are read, by blog_id; no site without an open event is looked at. A site drifts when its
-- legacy site_status is not the status its open HTTP events call for: 2 with an open Down event,
-- else 0 with an open Seems Down event, else 1.
-- Returns one row per such drifting site in listing order (bucket_no, blog_id, site_id): site_id,
-- blog_id, bucket_no, site_status, expected_status, event_id, open_event_count, cause, event_state.
-- event_id and event_state describe one event: the smallest id among the site's open Down events,
-- else Seems Down events, else all its open HTTP events. States and check types compare byte for
-- byte: 'down' or 'Down ' is not Down. src/report/drift_queries.ts folds the rows into the summary.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range).
WITH open_http_rollup AS (
  -- One row per blog with open HTTP events, of fixed-width columns only (the state of the first
  -- event is read afterwards, for drifting sites alone), so it stays an in-memory temporary table
  -- (about 40 bytes a blog). The hints keep MariaDB from walking a blog_id index over every event
  -- (closed ones included) just to group in order: a scan plus a small sort is far cheaper.
  SELECT e.blog_id,
         COUNT(*) AS open_event_count,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Down' THEN e.id END) AS down_event_id,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Seems Down' THEN e.id END) AS seems_down_event_id,
         MIN(e.id) AS first_event_id
  FROM jetmon_events AS e
    IGNORE INDEX FOR JOIN (idx_blog_id_started)
    IGNORE INDEX FOR GROUP BY (idx_blog_id_started, idx_blog_id_active)
  WHERE e.ended_at IS NULL
    AND CAST(e.check_type AS BINARY) = 'http'
  GROUP BY e.blog_id
),
site_drift AS (
  -- The range's active sites of those blogs whose site_status disagrees with their events.
  SELECT s.jetpack_monitor_site_id AS site_id, s.blog_id, s.bucket_no, s.site_status,
         r.open_event_count, r.down_event_id, r.seems_down_event_id, r.first_event_id,
         CASE WHEN r.down_event_id IS NOT NULL THEN 2
              WHEN r.seems_down_event_id IS NOT NULL THEN 0
              ELSE 1 END AS expected_status
  FROM open_http_rollup AS r
  JOIN jetpack_monitor_sites AS s ON s.blog_id = r.blog_id
  WHERE s.bucket_no BETWEEN :bucket_min AND :bucket_max
    AND s.monitor_active = 1
    AND s.site_status <> CASE WHEN r.down_event_id IS NOT NULL THEN 2
                              WHEN r.seems_down_event_id IS NOT NULL THEN 0
                              ELSE 1 END
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
ORDER BY sd.bucket_no, sd.blog_id, sd.site_id
