import { DEFAULT_MIGRATION_TIMEOUT_SECONDS, MAX_MIGRATION_TIMEOUT_SECONDS, MIN_MIGRATION_TIMEOUT_SECONDS } from './types.js';

// The driver reads the StorageClass parameter with strconv.Atoi semantics: an
// optional sign and decimal digits, nothing else ("1.5", " 60", "5m" are junk).
const WHOLE_SECONDS = /^[+-]?\d+$/;

/** The migration timeout of a volume from its `migrationTimeoutSeconds` attribute: junk or ≤ 0 → 300, else clamped to [30, 3600]. */
export function volumeTimeoutSeconds(attribute: string | null): number {
  if (attribute === null || !WHOLE_SECONDS.test(attribute)) return DEFAULT_MIGRATION_TIMEOUT_SECONDS;
  const seconds = Number(attribute);
  if (Number.isNaN(seconds) || seconds <= 0) return DEFAULT_MIGRATION_TIMEOUT_SECONDS;
  return Math.min(MAX_MIGRATION_TIMEOUT_SECONDS, Math.max(MIN_MIGRATION_TIMEOUT_SECONDS, seconds));
}
