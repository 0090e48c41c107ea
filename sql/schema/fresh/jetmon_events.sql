-- name: jetmon_events
-- The authoritative v2 incident table. One row per incident; an event is
-- open while ended_at IS NULL. dedup_key is generated and unique, so each
-- (blog_id, endpoint_id, check_type, discriminator) has at most one open
-- event. Used by tests and the demo; the report never creates anything.
CREATE TABLE jetmon_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  blog_id BIGINT UNSIGNED NOT NULL,
  endpoint_id BIGINT UNSIGNED NULL DEFAULT NULL,
  check_type VARCHAR(64) NOT NULL,
  discriminator VARCHAR(128) NULL DEFAULT NULL,
  severity TINYINT UNSIGNED NOT NULL DEFAULT 0,
  state VARCHAR(32) NOT NULL,
  started_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  ended_at TIMESTAMP(3) NULL DEFAULT NULL,
  resolution_reason VARCHAR(64) NULL DEFAULT NULL,
  cause_event_id BIGINT UNSIGNED NULL DEFAULT NULL,
  metadata JSON NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  dedup_key VARCHAR(255) GENERATED ALWAYS AS (
    CASE WHEN ended_at IS NULL
      THEN CONCAT(blog_id, ':', COALESCE(endpoint_id, 0), ':', check_type, ':', COALESCE(discriminator, ''))
      ELSE NULL
    END
  ) STORED,
  PRIMARY KEY (id),
  UNIQUE KEY uk_open_dedup (dedup_key),
  KEY idx_blog_id_started (blog_id, started_at),
  KEY idx_blog_id_active (blog_id, ended_at),
  KEY idx_check_type_started (check_type, started_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
