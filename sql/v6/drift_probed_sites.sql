-- name: drift_probed_sites
-- The drifting sites of buckets :bucket_min..:bucket_max among the sites whose primary key is in
-- :site_id_min..:site_id_max, every one of them probed in the open-event rollup: the plan for wide
-- ranges where no index of jetpack_monitor_sites starts with blog_id (the fresh v2 schema), and
-- on production's shape while one slice holds the table (src/report/drift_queries.ts). The
-- slice's sites are read once in primary-key order and each is looked up in the in-memory rollup
-- of the open HTTP events; the rollup is built again by each slice's statement.
-- A site drifts when its legacy site_status is not the status its open HTTP events call for: 2 with
-- an open Down event, else 0 with an open Seems Down event, else 1 (no open HTTP event included).
-- Returns one row per drifting site in listing order (bucket_no, blog_id, site_id): site_id,
-- blog_id, bucket_no, site_status, expected_status, event_id, open_event_count, cause, event_state,
-- the same columns as drift_per_site. event_id and event_state describe one event: the smallest id
-- among the site's open Down events, else Seems Down events, else all its open HTTP events; both
-- NULL when it has none. States and check types compare byte for byte.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range), :site_id_min, :site_id_max
-- (inclusive jetpack_monitor_site_id slice).
WITH open_http_rollup AS (
  -- One row per blog with open HTTP events, of fixed-width columns only, as in drift_open_events.
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
  SELECT s.jetpack_monitor_site_id AS site_id, s.blog_id, s.bucket_no, s.site_status,
         COALESCE(r.open_event_count, 0) AS open_event_count,
         r.down_event_id, r.seems_down_event_id, r.first_event_id,
         CASE WHEN r.down_event_id IS NOT NULL THEN 2
              WHEN r.seems_down_event_id IS NOT NULL THEN 0
              ELSE 1 END AS expected_status
  FROM jetpack_monitor_sites AS s
  LEFT JOIN open_http_rollup AS r ON r.blog_id = s.blog_id
  WHERE s.jetpack_monitor_site_id BETWEEN :site_id_min AND :site_id_max
    AND s.bucket_no BETWEEN :bucket_min AND :bucket_max
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
-- fe.id follows site_id, which is unique per row, so it changes no order; naming a column of the last
-- join keeps MariaDB from sorting every site of the slice before probing the rollup (on 1M sites it
-- sorted 950,111 sites instead of the 17,275 drifting ones: 1.29 s of ANALYZE time instead of 0.82 s).
ORDER BY sd.bucket_no, sd.blog_id, sd.site_id, fe.id
