-- name: generate_events
-- Benchmark data, step 2 of 2: inserts the events of the sites made by
-- generate_sites.sql with ids :first_site .. :last_site, reading those site
-- rows back (n = jetpack_monitor_site_id) and deriving everything from n, so
-- the data is deterministic and the same whichever batches it is made in. The class
-- h = CRC32(CONCAT('site-', n)) MOD 10000 is the one generate_sites.sql uses
-- (see its header for the class table). Each site has up to seven event
-- slots, each slot with its own id block (id = 1 + slot * B + (n * 7919) MOD B,
-- where B = :id_block is a prime above the site count (1000003 for up to
-- 1,000,000 sites), so ids are unique, older slots have smaller ids and one
-- blog's events lie far apart in the clustered index):
--   0 closed HTTP event, for 25% of sites (c < 25) and every stale-down site
--     (state Resolved, Seems Down for a fifth, Down for the stale-down ones)
--   1 a second closed HTTP event, for 5% of sites
--   2 a closed tls_expiry event, for 5% of sites
--   3 an open non-HTTP event (ping, dns, tls_expiry, keyword; Down, Seems
--     Down or Warning), for 3% of sites: noise the report must ignore
--   4 the site's open HTTP event (endpoint 1 on several-endpoint sites)
--   5 a second open HTTP event, endpoint 2, on several-endpoint sites
--   6 a third open HTTP event, endpoint 3, on some several-endpoint sites
-- About 1.07 events per site: ~0.37 closed, ~0.03 open non-HTTP, ~0.065
-- open HTTP. Timestamps are UTC literals; run with time_zone = '+00:00'.
-- severity is always given (the production shape has no default for it), so
-- both table shapes of sql/schema/ get the same rows. Portable to MySQL 8.
-- Parameters: :first_site, :last_site, :id_block.
INSERT INTO jetmon_events
  (id, blog_id, endpoint_id, check_type, discriminator, severity, state,
   started_at, ended_at, resolution_reason, cause_event_id, metadata, updated_at)
WITH slots AS (
  SELECT 0 AS slot UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3
  UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6
),
classified AS (
  SELECT s.jetpack_monitor_site_id AS n,
         s.blog_id,
         CRC32(CONCAT('site-', s.jetpack_monitor_site_id)) % 10000 AS h,
         CRC32(CONCAT('closed-', s.jetpack_monitor_site_id)) % 100 AS c,
         CRC32(CONCAT('noise-', s.jetpack_monitor_site_id)) % 100 AS z
  FROM jetpack_monitor_sites AS s
  WHERE s.jetpack_monitor_site_id BETWEEN :first_site AND :last_site
),
candidates AS (
  -- One row per site and slot; state is NULL where the slot has no event.
  SELECT k.n, k.blog_id, k.h, sl.slot,
         CASE sl.slot
           WHEN 0 THEN CASE WHEN k.h >= 1110 AND k.h < 1150 THEN 'Down'
                            WHEN k.c < 25 AND k.c % 5 = 0 THEN 'Seems Down'
                            WHEN k.c < 25 THEN 'Resolved' END
           WHEN 1 THEN CASE WHEN k.c < 5 THEN 'Resolved' END
           WHEN 2 THEN CASE WHEN k.c >= 90 AND k.c < 95 THEN 'Resolved' END
           WHEN 3 THEN CASE WHEN k.z < 3 THEN ELT(1 + k.n % 3, 'Down', 'Seems Down', 'Warning') END
           WHEN 4 THEN CASE
                         WHEN k.h < 50 THEN 'Down'
                         WHEN k.h < 500 THEN NULL
                         WHEN k.h < 700 THEN 'Down'
                         WHEN k.h < 900 THEN 'Seems Down'
                         WHEN k.h < 930 THEN 'Down'
                         WHEN k.h < 960 THEN 'Warning'
                         WHEN k.h < 1060 THEN ELT(1 + k.n % 5, 'Warning', 'Degraded', 'Paused', 'Maintenance', 'Unknown')
                         WHEN k.h < 1070 THEN NULL
                         WHEN k.h < 1110 THEN 'Down'
                         WHEN k.h < 1140 THEN NULL
                         WHEN k.h < 1150 THEN 'Warning'
                         WHEN k.h < 1170 THEN 'Down'
                         WHEN k.h < 1190 THEN 'Seems Down'
                         WHEN k.h < 1210 THEN 'Down'
                         WHEN k.h < 1230 THEN 'Seems Down'
                       END
           WHEN 5 THEN CASE
                         WHEN k.h >= 900 AND k.h < 930 THEN 'Seems Down'
                         WHEN k.h >= 930 AND k.h < 960 THEN 'Degraded'
                         WHEN k.h >= 1080 AND k.h < 1100 THEN 'Seems Down'
                         WHEN k.h >= 1100 AND k.h < 1110 THEN 'Warning'
                       END
           WHEN 6 THEN CASE
                         WHEN k.h >= 900 AND k.h < 915 THEN 'Warning'
                         WHEN k.h >= 1100 AND k.h < 1110 THEN 'Seems Down'
                       END
         END AS state
  FROM classified AS k
  CROSS JOIN slots AS sl
),
shaped AS (
  -- Every column of the event, still without the two timestamps that depend on each other.
  SELECT 1 + ca.slot * :id_block + (ca.n * 7919) % :id_block AS id,
         ca.blog_id,
         CASE WHEN ca.slot = 4 AND ((ca.h >= 900 AND ca.h < 960) OR (ca.h >= 1080 AND ca.h < 1110)) THEN 1
              WHEN ca.slot = 5 THEN 2
              WHEN ca.slot = 6 THEN 3 END AS endpoint_id,
         CASE ca.slot
           WHEN 2 THEN 'tls_expiry'
           WHEN 3 THEN ELT(1 + ca.n % 4, 'ping', 'dns', 'tls_expiry', 'keyword')
           ELSE 'http'
         END AS check_type,
         CASE ca.state WHEN 'Down' THEN 4 WHEN 'Seems Down' THEN 3 WHEN 'Degraded' THEN 2
                       WHEN 'Warning' THEN 1 ELSE 0 END AS severity,
         ca.state,
         ca.slot < 3 AS closed,
         CASE WHEN ca.slot < 3
              THEN TIMESTAMP '2025-11-01 00:00:00' + INTERVAL (CRC32(CONCAT('t-', ca.n, '-', ca.slot)) % 15552000) SECOND
              ELSE TIMESTAMP '2026-04-25 00:00:00' + INTERVAL (ca.n * 31 % 432000) SECOND
         END AS started_at,
         CASE WHEN ca.slot >= 3 THEN NULL
              WHEN ca.state = 'Down' THEN 'manual_close'
              WHEN ca.state = 'Seems Down' THEN 'false_alarm'
              ELSE 'recovered' END AS resolution_reason,
         CASE WHEN ca.slot >= 4
              THEN JSON_OBJECT('http_code', ELT(1 + ca.n % 3, 503, 500, 0), 'rtt_ms', ca.n % 5000, 'region', 'dfw')
         END AS metadata,
         ca.n
  FROM candidates AS ca
  WHERE ca.state IS NOT NULL
)
SELECT e.id, e.blog_id, e.endpoint_id, e.check_type, NULL, e.severity, e.state,
       e.started_at,
       CASE WHEN e.closed THEN e.started_at + INTERVAL (120 + e.n % 3600) SECOND END,
       e.resolution_reason,
       NULL,
       e.metadata,
       CASE WHEN e.closed THEN e.started_at + INTERVAL (120 + e.n % 3600) SECOND ELSE e.started_at END
FROM shaped AS e
ORDER BY e.id
