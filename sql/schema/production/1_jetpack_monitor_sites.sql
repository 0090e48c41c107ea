-- name: jetpack_monitor_sites (production)
-- The legacy site table as the monitor's production database has it: the v1 DDL of the
-- monitor's docs/data-model.md, kept by the fresh migrations' CREATE TABLE IF NOT EXISTS.
-- Unlike the fresh v2 shape, site_status and monitor_active are unsigned (0..255) and the
-- bucket index is bucket_no_monitor_active_check_interval; there is no idx_bucket_active.
-- Migrations 3 and 8 of jetmon2 follow in the next files. Used by tests and the demo.
CREATE TABLE jetpack_monitor_sites (
  jetpack_monitor_site_id bigint(20) unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  blog_id bigint(20) unsigned NOT NULL,
  bucket_no smallint(2) unsigned NOT NULL,
  monitor_url varchar(300) NOT NULL,
  monitor_active tinyint(1) unsigned NOT NULL DEFAULT 1,
  site_status tinyint(1) unsigned NOT NULL DEFAULT 1,
  last_status_change timestamp NULL DEFAULT current_timestamp(),
  check_interval tinyint(1) unsigned NOT NULL DEFAULT 5,
  INDEX blog_id_monitor_url (blog_id, monitor_url),
  INDEX bucket_no_monitor_active_check_interval (bucket_no, monitor_active, check_interval)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
