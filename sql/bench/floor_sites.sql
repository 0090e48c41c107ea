-- name: floor_sites
-- Benchmark floor: one plain statement reading every active site row of the
-- range (blog_id, bucket_no, site_status), each row sent to the client, as
-- any report over the range must at least read them. The runner streams and
-- counts the rows without keeping them.
-- Only for the benchmark.
-- Returns: blog_id, bucket_no, site_status, one row per active site.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range).
SELECT s.blog_id, s.bucket_no, s.site_status
FROM jetpack_monitor_sites AS s
WHERE s.bucket_no BETWEEN :bucket_min AND :bucket_max
  AND s.monitor_active = 1
