-- name: generate_sites
-- Benchmark data, step 1 of 2: inserts the site rows with ids :first_site ..
-- :last_site (at most 1,000,000 per call: the generator calls it once per
-- million sites, so any size gets the same rows as one call would), spread
-- evenly over :bucket_total buckets (bucket = n mod :bucket_total, so one
-- bucket's rows lie all over the clustered index).
-- Deterministic: every value derives from the row number n. The class h =
-- CRC32(CONCAT('site-', n)) MOD 10000 (per ten-thousand) picks the site's
-- shape; generate_events.sql repeats the same expression and class table:
--   [   0,  500) inactive (5%): status 1, or 2 for h < 100 (h < 50 also gets
--                an open Down event: inactive, so never drift)
--   [ 500,  700) confirmed down, agreeing: status 2, open Down
--   [ 700,  900) seems down, agreeing: status 0, open Seems Down
--   [ 900,  930) several endpoints, agreeing: status 2, Down + Seems Down (+ Warning)
--   [ 930,  960) several endpoints, agreeing: status 1, Warning + Degraded
--   [ 960, 1060) one open non-down HTTP event, agreeing: status 1
--   [1060, 1070) drift unexpected_projection_value: status 7, no open event
--   [1070, 1080) drift unexpected_projection_value: status 100, open Down
--   [1080, 1100) drift multiple_open_http_events: status 1, Down + Seems Down
--   [1100, 1110) drift multiple_open_http_events: status 0, Down + Warning + Seems Down
--   [1110, 1130) drift stale_legacy_down_projection: status 0, no open event
--   [1130, 1140) drift stale_legacy_down_projection: status 2, no open event
--   [1140, 1150) drift stale_legacy_down_projection: status 2, open Warning
--   [1150, 1170) drift missing_confirmed_down_projection: status 1, open Down
--   [1170, 1190) drift missing_seems_down_projection: status 1, open Seems Down
--   [1190, 1210) drift missing_confirmed_promotion: status 0, open Down
--   [1210, 1230) drift stale_confirmed_down_projection: status 2, open Seems Down
--   [1230,10000) running, no open HTTP event: status 1
-- Every value fits both table shapes of sql/schema/ (site_status is TINYINT
-- in the fresh shape, TINYINT UNSIGNED in production, so out-of-shape values
-- stay within 0..127), and the columns production requires without a default
-- (monitor_url) are given, so both shapes hold the same data.
-- Portable to MySQL 8 (no recursion: the numbers come from a cross join of
-- digits). Parameters: :first_site, :last_site, :bucket_total.
INSERT INTO jetpack_monitor_sites
  (jetpack_monitor_site_id, blog_id, bucket_no, monitor_url, monitor_active,
   site_status, last_status_change, check_interval, last_checked_at)
WITH digits AS (
  SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
  UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9
),
numbers AS (
  -- :first_site .. :first_site + 999,999
  SELECT :first_site + d0.d + 10 * d1.d + 100 * d2.d + 1000 * d3.d + 10000 * d4.d + 100000 * d5.d AS n
  FROM digits AS d0 CROSS JOIN digits AS d1 CROSS JOIN digits AS d2
  CROSS JOIN digits AS d3 CROSS JOIN digits AS d4 CROSS JOIN digits AS d5
),
classified AS (
  SELECT n, CRC32(CONCAT('site-', n)) % 10000 AS h
  FROM numbers
  WHERE n <= :last_site
)
SELECT c.n,
       1000 + 3 * c.n,
       c.n % :bucket_total,
       CONCAT('https://site-', c.n, '.example.com/'),
       CASE WHEN c.h < 500 THEN 0 ELSE 1 END,
       CASE
         WHEN c.h < 100 THEN 2
         WHEN c.h < 500 THEN 1
         WHEN c.h < 700 THEN 2
         WHEN c.h < 900 THEN 0
         WHEN c.h < 930 THEN 2
         WHEN c.h < 1060 THEN 1
         WHEN c.h < 1070 THEN 7
         WHEN c.h < 1080 THEN 100
         WHEN c.h < 1100 THEN 1
         WHEN c.h < 1130 THEN 0
         WHEN c.h < 1150 THEN 2
         WHEN c.h < 1190 THEN 1
         WHEN c.h < 1210 THEN 0
         WHEN c.h < 1230 THEN 2
         ELSE 1
       END,
       CASE WHEN c.h < 1230 THEN TIMESTAMP '2026-04-01 00:00:00' + INTERVAL (c.n * 7919 % 2592000) SECOND END,
       CASE WHEN c.n % 20 = 0 THEN 1 ELSE 5 END,
       TIMESTAMP '2026-04-30 12:00:00' - INTERVAL (c.n % 300) SECOND
FROM classified AS c
ORDER BY c.n
