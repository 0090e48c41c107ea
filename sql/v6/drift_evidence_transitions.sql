-- name: drift_evidence_transitions
-- The latest transition of each listed site's HTTP events, from jetmon_event_transitions (the
-- monitor's append-only event history, jetmon2 migration 11), for a batch of listed sites: per
-- blog, idx_blog_id_changed (blog_id, changed_at) read backwards from the newest change, stopping
-- at the first transition of an HTTP event (ties on changed_at go to the larger transition id).
-- A separate statement, so a schema without the table, or a user without SELECT on it, loses
-- this evidence only (errors 1146 and 1142; src/report/evidence.ts).
-- Returns one row per blog of :blog_ids that has a transition of an HTTP event: blog_id,
-- event_id, changed_at (in the session's time zone, which the report sets to UTC),
-- state_before, state_after, reason, source; ordered by blog_id.
-- Parameters: :blog_ids (a list of blog ids).
SELECT t.blog_id, t.event_id, t.changed_at, t.state_before, t.state_after, t.reason, t.source
FROM (
  SELECT tb.blog_id,
         (SELECT t1.id
          FROM jetmon_event_transitions AS t1
          JOIN jetmon_events AS e ON e.id = t1.event_id
          WHERE t1.blog_id = tb.blog_id
            AND CAST(e.check_type AS BINARY) = 'http'
          ORDER BY t1.changed_at DESC, t1.id DESC
          LIMIT 1) AS transition_id
  FROM jetmon_event_transitions AS tb
  WHERE tb.blog_id IN (:blog_ids)
  GROUP BY tb.blog_id
) AS latest
JOIN jetmon_event_transitions AS t ON t.id = latest.transition_id
ORDER BY t.blog_id
