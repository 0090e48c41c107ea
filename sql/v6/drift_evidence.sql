-- name: drift_evidence
-- Evidence from the site and event tables for a batch of listed drifting sites, read by index
-- for those sites only (the report statement has already named them), in the report's snapshot.
-- Returns one row per blog of the site rows :site_ids (none for a blog whose site rows are gone or
-- no longer active):
--   blog_id;
--   last_status_change  the latest last_status_change of those site rows of the blog (when the
--                       legacy projection was last written); NULL when never set;
--   event_id, event_started_at, event_updated_at, event_severity
--                       the blog's event among :event_ids (the representative open event the
--                       report row shows), NULLs when the row shows none;
--   closed_event_id, closed_ended_at, closed_resolution_reason
--                       the blog's latest closed HTTP event (by ended_at, then id) for the blogs
--                       of :close_blog_ids, NULLs when it has none or is not among them;
--   server_now          the server's clock when the statement ran, NOW(3).
-- Timestamps come back in the session's time zone, which the report sets to UTC (+00:00).
-- check_type compares byte for byte, as in drift_report.sql: 'HTTP' or 'http ' is not HTTP.
-- Parameters: :site_ids (the listed drifting site rows' primary keys, so each is one primary-key
-- lookup on either table shape), :event_ids (a list of the representative event ids),
-- :close_blog_ids (the blogs whose listed cause points at a close or recovery); an empty list binds
-- as NULL and matches nothing.
WITH listed_site AS (
  SELECT s.blog_id, MAX(s.last_status_change) AS last_status_change
  FROM jetpack_monitor_sites AS s
  WHERE s.jetpack_monitor_site_id IN (:site_ids)
    AND s.monitor_active = 1
  GROUP BY s.blog_id
),
with_closed AS (
  -- The latest closed HTTP event of each blog: idx_blog_id_active (blog_id, ended_at) read
  -- backwards from the newest close, stopping at the first HTTP event.
  -- Looked up only for the blogs in :close_blog_ids (the causes that point at a close or recovery).
  SELECT ls.blog_id, ls.last_status_change,
         CASE WHEN ls.blog_id IN (:close_blog_ids) THEN
           (SELECT c.id
            FROM jetmon_events AS c
            WHERE c.blog_id = ls.blog_id
              AND c.ended_at IS NOT NULL
              AND CAST(c.check_type AS BINARY) = 'http'
            ORDER BY c.ended_at DESC, c.id DESC
            LIMIT 1)
         END AS closed_event_id
  FROM listed_site AS ls
)
SELECT w.blog_id,
       w.last_status_change,
       e.id AS event_id,
       e.started_at AS event_started_at,
       e.updated_at AS event_updated_at,
       e.severity AS event_severity,
       w.closed_event_id,
       c.ended_at AS closed_ended_at,
       c.resolution_reason AS closed_resolution_reason,
       NOW(3) AS server_now
FROM with_closed AS w
LEFT JOIN jetmon_events AS e ON e.id IN (:event_ids) AND e.blog_id = w.blog_id
LEFT JOIN jetmon_events AS c ON c.id = w.closed_event_id
ORDER BY w.blog_id
