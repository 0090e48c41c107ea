-- name: drift_report
-- The whole drift report of buckets :bucket_min..:bucket_max in one statement, so the range is
-- read once. Every drifting site is found (the per-site rollup of its open HTTP events) and
-- classified once; the first :row_limit of them by bucket, then blog_id, are listed. One
-- GROUP BY then folds the drifting sites into parts of their summary group (each listed site
-- on its own, the unlisted rest of the group together), and window functions over those few
-- parts add up each group, each cause and the range.
-- Returns rows of four kinds, named by row_kind, in this order (no row at all when nothing
-- drifts). Each kind sets only the columns listed for it; every other column is NULL.
--   'site'  one per listed site, in listing order (bucket, blog_id, then site id): blog_id,
--           bucket_no, site_status, expected_status, event_id, open_event_count, cause,
--           event_state. event_id and event_state always describe one event (the smallest id
--           among the site's open Down events, else Seems Down events, else all its open HTTP
--           events).
--   'group' one per summary group ranked within :summary_limit, in report order (largest
--           first, then bucket, site_status, expected_status, event_state, cause): the group's
--           bucket_no, site_status, expected_status, event_state and cause, drift_rows (its
--           sites), max_open_events (their largest open_event_count), sample_blog_id (their
--           smallest blog_id).
--   'cause' one per cause over all groups, shown or not, highest drift_rows first, ties by
--           cause code: cause, drift_rows (its sites).
--   'range' one row: drift_rows (every drifting site, counted on its own before any grouping
--           or limit), groups_total (every group), summarized_drift_rows (the groups' total,
--           which the report checks against drift_rows), hidden_drift_rows (the sites of the
--           groups ranked beyond :summary_limit).
-- src/report/drift_queries.ts decodes each kind (type ReportRow).
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range), :row_limit (sites listed),
-- :summary_limit (groups returned); "no limit" is bound as 2^63-1.
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
  -- aggregates are its own values; the group's unlisted sites make one more part. Windows over
  -- the parts (they run after the grouping) then total each group and each cause. The group's
  -- first part (a listed one when there is one: unlisted positions come after every listed
  -- one) stands for the group, the cause's first part for the cause. The group's largest and
  -- smallest values are FIRST_VALUEs of ordered partitions: MariaDB evaluates MIN and MAX over
  -- a window frame anew for every row, which with --limit 0 means every drifting site.
  SELECT ld.bucket_no, ld.site_status, ld.expected_status, ld.event_state, ld.cause,
         CASE WHEN ld.listing_position <= :row_limit THEN ld.listing_position END AS listed_position,
         MAX(ld.open_event_count) AS part_max_open_events,
         MIN(ld.blog_id) AS part_min_blog_id,
         MIN(ld.event_id) AS part_event_id,
         MAX(ld.range_drift_rows) AS range_drift_rows,
         SUM(COUNT(*)) OVER summary_group AS drift_rows,
         FIRST_VALUE(MAX(ld.open_event_count)) OVER (summary_group ORDER BY MAX(ld.open_event_count) DESC) AS max_open_events,
         FIRST_VALUE(MIN(ld.blog_id)) OVER (summary_group ORDER BY MIN(ld.blog_id)) AS sample_blog_id,
         ROW_NUMBER() OVER (summary_group ORDER BY MIN(ld.listing_position)) AS group_part,
         SUM(COUNT(*)) OVER (PARTITION BY ld.cause) AS cause_drift_rows,
         ROW_NUMBER() OVER (PARTITION BY ld.cause) AS cause_part
  FROM listed_drift AS ld
  -- By the alias: MySQL would not see two copies of an expression with a placeholder as one.
  GROUP BY ld.bucket_no, ld.site_status, ld.expected_status, ld.event_state, ld.cause, listed_position
  WINDOW summary_group AS (PARTITION BY ld.bucket_no, ld.site_status, ld.expected_status, ld.event_state, ld.cause)
),
ranked_parts AS (
  -- Ranks in report order, the same for every part of a group or cause; the range's groups
  -- counted and added up at their first parts; and, at each group, the sites of the groups up
  -- to and including it (the window's default frame ends at the last part of the group).
  SELECT gp.*,
         DENSE_RANK() OVER (ORDER BY gp.drift_rows DESC, gp.bucket_no, gp.site_status,
                                     gp.expected_status, gp.event_state, gp.cause) AS group_rank,
         DENSE_RANK() OVER (ORDER BY gp.cause_drift_rows DESC, gp.cause) AS cause_rank,
         SUM(CASE WHEN gp.group_part = 1 THEN 1 ELSE 0 END) OVER () AS groups_total,
         SUM(CASE WHEN gp.group_part = 1 THEN gp.drift_rows ELSE 0 END) OVER () AS summarized_drift_rows,
         SUM(CASE WHEN gp.group_part = 1 THEN gp.drift_rows ELSE 0 END)
           OVER (ORDER BY gp.drift_rows DESC, gp.bucket_no, gp.site_status,
                          gp.expected_status, gp.event_state, gp.cause) AS drift_rows_through_group
  FROM group_parts AS gp
)
-- Each part is offered once per row kind and kept where it stands for a row of that kind. The
-- last group returned carries the range: the groups' total less the sites up to it is what the
-- hidden groups hold. (Comparisons, not LEAST(): the "no limit" bound may arrive as a string,
-- and whether LEAST() then compares numbers or text is not the same on every server.)
SELECT k.row_kind,
       CASE WHEN k.row_kind = 'site' THEN rp.part_min_blog_id END AS blog_id,
       CASE WHEN k.row_kind IN ('site', 'group') THEN rp.bucket_no END AS bucket_no,
       CASE WHEN k.row_kind IN ('site', 'group') THEN rp.site_status END AS site_status,
       CASE WHEN k.row_kind IN ('site', 'group') THEN rp.expected_status END AS expected_status,
       CASE WHEN k.row_kind = 'site' THEN rp.part_event_id END AS event_id,
       CASE WHEN k.row_kind = 'site' THEN rp.part_max_open_events END AS open_event_count,
       CASE WHEN k.row_kind IN ('site', 'group', 'cause') THEN rp.cause END AS cause,
       CASE WHEN k.row_kind IN ('site', 'group') THEN CONVERT(rp.event_state USING utf8mb4) END AS event_state,
       CASE k.row_kind WHEN 'group' THEN rp.drift_rows
                       WHEN 'cause' THEN rp.cause_drift_rows
                       WHEN 'range' THEN rp.range_drift_rows END AS drift_rows,
       CASE WHEN k.row_kind = 'group' THEN rp.max_open_events END AS max_open_events,
       CASE WHEN k.row_kind = 'group' THEN rp.sample_blog_id END AS sample_blog_id,
       CASE WHEN k.row_kind = 'range' THEN rp.groups_total END AS groups_total,
       CASE WHEN k.row_kind = 'range' THEN rp.summarized_drift_rows END AS summarized_drift_rows,
       CASE WHEN k.row_kind = 'range' THEN rp.summarized_drift_rows - rp.drift_rows_through_group END AS hidden_drift_rows
FROM ranked_parts AS rp
CROSS JOIN (SELECT 'site' AS row_kind, 1 AS kind_order
            UNION ALL SELECT 'group', 2
            UNION ALL SELECT 'cause', 3
            UNION ALL SELECT 'range', 4) AS k
WHERE (k.row_kind = 'site' AND rp.listed_position IS NOT NULL)
   OR (k.row_kind = 'group' AND rp.group_part = 1 AND rp.group_rank <= :summary_limit)
   OR (k.row_kind = 'cause' AND rp.cause_part = 1)
   OR (k.row_kind = 'range' AND rp.group_part = 1 AND rp.group_rank <= :summary_limit
       AND (rp.group_rank = :summary_limit OR rp.group_rank = rp.groups_total))
ORDER BY k.kind_order,
         CASE k.row_kind WHEN 'site' THEN rp.listed_position
                         WHEN 'group' THEN rp.group_rank
                         ELSE rp.cause_rank END
