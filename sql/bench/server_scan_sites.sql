-- name: server_scan_sites
-- Benchmark reference, stricter than the floor: the server reads every active
-- site row of the range but folds them into one result row (integer BIT_XOR),
-- so nothing crosses to the client. No report can be cheaper than this scan.
-- Only for the benchmark.
-- Returns one row: site_rows, blog_id_xor, bucket_xor, status_xor.
-- Parameters: :bucket_min, :bucket_max (inclusive bucket range).
SELECT COUNT(*) AS site_rows,
       BIT_XOR(s.blog_id) AS blog_id_xor,
       BIT_XOR(s.bucket_no) AS bucket_xor,
       BIT_XOR(s.site_status) AS status_xor
FROM jetpack_monitor_sites AS s
WHERE s.bucket_no BETWEEN :bucket_min AND :bucket_max
  AND s.monitor_active = 1
