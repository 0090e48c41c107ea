-- name: drift_evidence_open_events
-- Every open HTTP event of a batch of listed sites that have more than one (cause
-- multiple_open_http_events), read through idx_blog_id_active (blog_id, ended_at): per blog the
-- first :open_event_cap events by id, each with how many open HTTP events the blog has in all.
-- Returns rows of: blog_id, event_id, state, open_events (the blog's total), ordered by blog_id,
-- then event_id. check_type compares byte for byte, as in drift_report.sql.
-- Parameters: :blog_ids (a list of blog ids), :open_event_cap (events returned per blog).
SELECT r.blog_id, r.event_id, r.state, r.open_events
FROM (
  SELECT e.blog_id,
         e.id AS event_id,
         e.state,
         ROW_NUMBER() OVER (PARTITION BY e.blog_id ORDER BY e.id) AS position,
         COUNT(*) OVER (PARTITION BY e.blog_id) AS open_events
  FROM jetmon_events AS e
  WHERE e.blog_id IN (:blog_ids)
    AND e.ended_at IS NULL
    AND CAST(e.check_type AS BINARY) = 'http'
) AS r
WHERE r.position <= :open_event_cap
ORDER BY r.blog_id, r.event_id
