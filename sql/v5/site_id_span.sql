-- name: site_id_span
-- The smallest and largest jetpack_monitor_site_id (NULLs for an empty table), read from the ends
-- of the primary key, and the server's estimate of the table's rows (its statistics, not a count):
-- the wide-range plan cuts the primary key into about as many slices as the estimate calls for.
-- Returns one row: site_id_min, site_id_max, estimated_rows (NULL when the server has none).
-- Parameters: none.
SELECT MIN(s.jetpack_monitor_site_id) AS site_id_min,
       MAX(s.jetpack_monitor_site_id) AS site_id_max,
       (SELECT t.TABLE_ROWS
        FROM information_schema.TABLES AS t
        WHERE t.TABLE_SCHEMA = DATABASE()
          AND t.TABLE_NAME = 'jetpack_monitor_sites') AS estimated_rows
FROM jetpack_monitor_sites AS s
