-- name: jetmon_events (production)
-- The authoritative v2 incident table as jetmon2 migration 10 creates it in production
-- (dedup_key built with CONCAT_WS; an extra index on cause_event_id).
CREATE TABLE jetmon_events (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  blog_id BIGINT UNSIGNED NOT NULL,
  endpoint_id BIGINT UNSIGNED NULL,
  check_type VARCHAR(64) NOT NULL,
  discriminator VARCHAR(128) NULL,
  severity TINYINT UNSIGNED NOT NULL,
  state VARCHAR(32) NOT NULL,
  started_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  ended_at TIMESTAMP(3) NULL,
  resolution_reason VARCHAR(64) NULL,
  cause_event_id BIGINT UNSIGNED NULL,
  metadata JSON NULL,
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  dedup_key VARCHAR(255) GENERATED ALWAYS AS (
    IF(ended_at IS NULL,
       CONCAT_WS(':', blog_id, COALESCE(endpoint_id, 0), check_type, COALESCE(discriminator, '')),
       NULL)
  ) STORED,
  UNIQUE KEY uk_open_dedup (dedup_key),
  INDEX idx_blog_id_started (blog_id, started_at),
  INDEX idx_blog_id_active (blog_id, ended_at),
  INDEX idx_check_type_started (check_type, started_at),
  INDEX idx_cause_event_id (cause_event_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
