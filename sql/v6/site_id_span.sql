-- name: site_id_span
-- What the wide-range plan needs to know of jetpack_monitor_sites before it starts: the smallest
-- and largest jetpack_monitor_site_id (NULLs for an empty table), read from the ends of the primary
-- key, and the server's estimate of the table's rows (its statistics, not a count), to cut the key
-- into about as many slices as the estimate calls for; and whether an index starts with blog_id
-- (production's blog_id_monitor_url, not named here), which decides how the sites of the blogs with
-- open events are reached.
-- Returns one row: site_id_min, site_id_max, estimated_rows (NULL when the server has none),
-- blog_id_indexed (1 or 0).
-- Parameters: none.
SELECT MIN(s.jetpack_monitor_site_id) AS site_id_min,
       MAX(s.jetpack_monitor_site_id) AS site_id_max,
       (SELECT t.TABLE_ROWS
        FROM information_schema.TABLES AS t
        WHERE t.TABLE_SCHEMA = DATABASE()
          AND t.TABLE_NAME = 'jetpack_monitor_sites') AS estimated_rows,
       CASE WHEN EXISTS (SELECT 1
                         FROM information_schema.STATISTICS AS i
                         WHERE i.TABLE_SCHEMA = DATABASE()
                           AND i.TABLE_NAME = 'jetpack_monitor_sites'
                           AND i.SEQ_IN_INDEX = 1
                           AND i.COLUMN_NAME = 'blog_id') THEN 1 ELSE 0 END AS blog_id_indexed
FROM jetpack_monitor_sites AS s
