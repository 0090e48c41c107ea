-- name: site_id_span
-- What the wide-range plan needs to know of jetpack_monitor_sites before it starts: the smallest
-- and largest jetpack_monitor_site_id (NULLs for an empty table), read from the ends of the primary
-- key, and the server's estimate of the table's rows (its statistics, not a count), to cut the key
-- into about as many slices as the estimate calls for.
-- Returns one row: site_id_min, site_id_max, estimated_rows (NULL when the server has none).
-- Parameters: none.
SELECT MIN(s.jetpack_monitor_site_id) AS site_id_min,
       MAX(s.jetpack_monitor_site_id) AS site_id_max,
       (SELECT t.TABLE_ROWS
        FROM information_schema.TABLES AS t
        WHERE t.TABLE_SCHEMA = DATABASE()
          AND t.TABLE_NAME = 'jetpack_monitor_sites') AS estimated_rows
FROM jetpack_monitor_sites AS s
