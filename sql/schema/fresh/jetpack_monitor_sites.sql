-- name: jetpack_monitor_sites
-- The legacy site table as the monitor defines it (only the columns and
-- indexes the report depends on, plus a few the monitor keeps beside them).
-- Used by tests and the demo to build scratch databases; the report itself
-- never creates anything.
CREATE TABLE jetpack_monitor_sites (
  jetpack_monitor_site_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  blog_id BIGINT UNSIGNED NOT NULL,
  bucket_no SMALLINT UNSIGNED NOT NULL DEFAULT 0,
  monitor_url VARCHAR(300) NOT NULL DEFAULT '',
  monitor_active TINYINT UNSIGNED NOT NULL DEFAULT 1,
  site_status TINYINT NOT NULL DEFAULT 1,
  last_status_change DATETIME NULL DEFAULT NULL,
  check_interval TINYINT UNSIGNED NOT NULL DEFAULT 5,
  last_checked_at DATETIME NULL DEFAULT NULL,
  PRIMARY KEY (jetpack_monitor_site_id),
  KEY idx_bucket_active (bucket_no, monitor_active)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
