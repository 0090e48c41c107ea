-- name: drift_report
-- The whole drift report of buckets :bucket_min..:bucket_max in one statement, so the range is
-- read once. Every drifting site is found (the per-site rollup of its open HTTP events) and
-- classified once; the first :row_limit of them by bucket, then blog_id, are listed. One
-- GROUP BY then folds the drifting sites into parts of their summary group (each listed site
-- on its own, the unlisted rest of the group together), and window functions over those few
-- parts add up each group and each cause.
-- Returns one row per listed site, and one per summary group that has no listed site, in
-- listing order (listed first):
--   the site or part: blog_id, bucket_no, site_status, expected_status, event_id,
--     open_event_count, cause, event_state, listed (1 for a listed site, else 0); event_id
--     and event_state always describe one event (the smallest id among the site's open Down
--     events, else Seems Down events, else all its open HTTP events);
--   its group: group_rank (report order: largest first, then bucket, site_status,
--     expected_status, event_state, cause; set on exactly one row per group, NULL on the
--     others), drift_rows, max_open_events, sample_blog_id (the group's smallest blog_id);
--   its cause: cause_drift_rows (over all groups), cause_rank (count descending, then code);
--   the range: range_drift_rows (every drifting site, counted before any grouping or limit).
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range), :row_limit (sites listed).
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
),
listed_drift AS (
  -- Windows over the drifting sites (few next to the range): each one's place in the listing,
  -- and how many there are, counted here on their own so the report can check its groups.
  SELECT cd.*,
         ROW_NUMBER() OVER (ORDER BY cd.bucket_no, cd.blog_id, cd.jetpack_monitor_site_id) AS listing_position,
         COUNT(*) OVER () AS range_drift_rows
  FROM classified_drift AS cd
),
group_parts AS (
  -- A listed site is a part of its group on its own (its position is unique), so its
  -- aggregates are its own values; the group's unlisted sites make one more part.
  SELECT ld.bucket_no, ld.site_status, ld.expected_status, ld.event_state, ld.cause,
         CASE WHEN ld.listing_position <= :row_limit THEN ld.listing_position END AS listed_position,
         COUNT(*) AS part_rows,
         MAX(ld.open_event_count) AS part_max_open_events,
         MIN(ld.blog_id) AS part_min_blog_id,
         MIN(ld.event_id) AS part_event_id,
         MAX(ld.range_drift_rows) AS range_drift_rows
  FROM listed_drift AS ld
  -- By the alias: MySQL would not see two copies of an expression with a placeholder as one.
  GROUP BY ld.bucket_no, ld.site_status, ld.expected_status, ld.event_state, ld.cause, listed_position
),
summed_parts AS (
  -- Totals per group and per cause, over the parts. The group's first part
  -- (a listed one when there is one) will carry the group's rank. The group's largest and
  -- smallest values are FIRST_VALUEs of ordered partitions: MariaDB evaluates MIN and MAX
  -- over a window frame anew for every row, which with --limit 0 means every drifting site.
  SELECT gp.*,
         SUM(gp.part_rows) OVER summary_group AS drift_rows,
         FIRST_VALUE(gp.part_max_open_events) OVER (summary_group ORDER BY gp.part_max_open_events DESC) AS max_open_events,
         FIRST_VALUE(gp.part_min_blog_id) OVER (summary_group ORDER BY gp.part_min_blog_id) AS sample_blog_id,
         ROW_NUMBER() OVER (summary_group ORDER BY gp.listed_position IS NULL, gp.listed_position) AS group_part,
         SUM(gp.part_rows) OVER (PARTITION BY gp.cause) AS cause_drift_rows
  FROM group_parts AS gp
  WINDOW summary_group AS (PARTITION BY gp.bucket_no, gp.site_status, gp.expected_status, gp.event_state, gp.cause)
)
SELECT sp.part_min_blog_id AS blog_id,
       sp.bucket_no,
       sp.site_status,
       sp.expected_status,
       sp.part_event_id AS event_id,
       sp.part_max_open_events AS open_event_count,
       sp.cause,
       CONVERT(sp.event_state USING utf8mb4) AS event_state,
       CASE WHEN sp.listed_position IS NOT NULL THEN 1 ELSE 0 END AS listed,
       -- Ranked after the filter below, which keeps every group's first part; the dense rank
       -- gives all parts of a group the same number, so groups are numbered 1, 2, 3 ...
       CASE WHEN sp.group_part = 1
            THEN DENSE_RANK() OVER (ORDER BY sp.drift_rows DESC, sp.bucket_no, sp.site_status,
                                             sp.expected_status, sp.event_state, sp.cause)
       END AS group_rank,
       sp.drift_rows,
       sp.max_open_events,
       sp.sample_blog_id,
       sp.cause_drift_rows,
       DENSE_RANK() OVER (ORDER BY sp.cause_drift_rows DESC, sp.cause) AS cause_rank,
       sp.range_drift_rows
FROM summed_parts AS sp
WHERE sp.listed_position IS NOT NULL
   OR sp.group_part = 1
ORDER BY sp.listed_position IS NULL, sp.listed_position
