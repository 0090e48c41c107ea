-- name: drifting_sites
-- Every drifting site of buckets :bucket_min..:bucket_max, classified as drift_report classifies
-- it, and nothing else: no summary, no windows, so its cost is the range's scan however many sites
-- drift. --recheck reads it in the re-check's snapshot, and in the report's own snapshot when the
-- report listed fewer rows than drift (src/report/recheck_query.ts). The open-event rollup, the
-- drift test and the cause rules are drift_report's, word for word; test/recheck_query.test.ts
-- checks the rows against the reference model on random databases.
-- Returns one row per drifting site, in drift_report's listing order (bucket_no, blog_id, then
-- site id): site_id, blog_id, bucket_no, site_status, expected_status, cause.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range).
WITH open_http_rollup AS (
  -- One row per blog with open HTTP events. States and check types compare byte for byte:
  -- 'down' or 'Down ' is not Down. The hints keep MariaDB from walking a blog_id index
  -- over every event (closed ones included) just to group in order: a scan is far cheaper
  -- when the whole rollup is built, and idx_blog_id_active serves per-blog lookups.
  -- first_state is the state of the first_event_id event itself, never a state of another
  -- event: the smallest of "id as 20 zero-padded digits, then the state" belongs to the
  -- smallest id (20 digits hold any BIGINT UNSIGNED), and its state follows at byte 21.
  SELECT e.blog_id,
         COUNT(*) AS open_event_count,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Down' THEN e.id END) AS down_event_id,
         MIN(CASE WHEN CAST(e.state AS BINARY) = 'Seems Down' THEN e.id END) AS seems_down_event_id,
         MIN(e.id) AS first_event_id,
         SUBSTRING(MIN(CONCAT(LPAD(e.id, 20, '0'), CAST(e.state AS BINARY))), 21) AS first_state
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
    AND s.site_status <> CASE WHEN r.down_event_id IS NOT NULL THEN 2
                              WHEN r.seems_down_event_id IS NOT NULL THEN 0
                              ELSE 1 END
),
classified_drift AS (
  -- Each drifting site classified once: the first matching rule wins. The rules are the
  -- monitor's, kept whole for compatibility, but three of its tests never fire here: the
  -- expected_status test of the first rule, and the last two rules. expected_status is 0, 1 or
  -- 2 by construction (site_drift's CASE), site_status is in 0..2 past the first rule (the
  -- column is NOT NULL), and the two differ (drift), so the pair is one of the six
  -- (site_status, expected_status) pairs (0,1) (2,1) (1,2) (1,0) (0,2) (2,0), which the rules
  -- from stale_legacy_down_projection to stale_confirmed_down_projection cover one by one.
  SELECT sd.*,
         CASE
           WHEN sd.site_status NOT IN (0, 1, 2)
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
SELECT cd.jetpack_monitor_site_id AS site_id, cd.blog_id, cd.bucket_no, cd.site_status,
       cd.expected_status, cd.cause
FROM classified_drift AS cd
ORDER BY cd.bucket_no, cd.blog_id, cd.jetpack_monitor_site_id
