-- name: make_drifting
-- Benchmark data, optional step 3: turns :extra_drifting more sites into
-- drifting ones, for the database where 300,000 of 1,000,000 sites drift
-- (issue 14's `--limit 0` and `--baseline` measurements). It picks running,
-- active sites without any open HTTP event (class h >= 1230 of
-- generate_sites.sql, site_status 1, so expected status 1) in a
-- deterministic pseudo-random order spread over every bucket, and gives them
-- status 0 or 2 (stale_legacy_down_projection) or 7
-- (unexpected_projection_value) by n mod 3. Single-table UPDATE with ORDER BY
-- and LIMIT, portable to MySQL 8.
-- Parameters: :extra_drifting (how many sites to change).
UPDATE jetpack_monitor_sites
SET site_status = CASE jetpack_monitor_site_id % 3 WHEN 0 THEN 0 WHEN 1 THEN 2 ELSE 7 END
WHERE monitor_active = 1
  AND site_status = 1
  AND CRC32(CONCAT('site-', jetpack_monitor_site_id)) % 10000 >= 1230
ORDER BY CRC32(CONCAT('drift-', jetpack_monitor_site_id)), jetpack_monitor_site_id
LIMIT :extra_drifting
