/**
 * record: Helm 4's release record (`helm.sh/release.v1`) and its storage encoding, so that the real
 * `helm list/history/get values/get manifest/rollback` read Capstan's releases and Capstan adopts
 * Helm's. A record is JSON, gzipped, base64-encoded into the Secret's `release` key (which the API
 * server base64-encodes once more on the wire).
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/** ReleaseStatus is Helm's closed set of release statuses. */
export type ReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

/** PENDING_STATUSES are the statuses that lock a release while an action runs. */
export const PENDING_STATUSES: ReadonlySet<ReleaseStatus> = new Set([
  'pending-install',
  'pending-upgrade',
  'pending-rollback',
]);

export interface ChartFileRecord {
  name: string;
  /** data is base64 ([]byte in Go's JSON). */
  data: string;
}

/** ChartRecord is the chart as Helm stores it inside a release. */
export interface ChartRecord {
  metadata: Record<string, unknown>;
  lock: unknown;
  templates: ChartFileRecord[];
  values: Record<string, unknown>;
  schema: string | null;
  files: ChartFileRecord[];
}

export interface HookRecord {
  name: string;
  kind: string;
  path: string;
  manifest: string;
  events: string[];
  last_run: { started_at: string; completed_at: string; phase: string };
  weight: number;
  delete_policies?: string[];
  output_log_policies?: string[];
}

/** ReleaseRecord is Helm's release.Release as JSON. */
export interface ReleaseRecord {
  name: string;
  info: {
    first_deployed: string;
    last_deployed: string;
    deleted?: string;
    description: string;
    status: ReleaseStatus;
    notes?: string;
  };
  chart: ChartRecord;
  config: Record<string, unknown>;
  manifest: string;
  hooks?: HookRecord[];
  version: number;
  namespace: string;
  labels?: Record<string, string>;
  apply_method?: 'ssa' | 'csa';
}

/** encodeRecord turns a record into the Secret's `release` value (base64 of gzip of JSON). */
export function encodeRecord(rec: ReleaseRecord): string {
  return gzipSync(Buffer.from(JSON.stringify(rec), 'utf8')).toString('base64');
}

/**
 * decodeRecord reads the Secret's `release` value. Helm writes gzip; very old releases are plain
 * JSON, which Helm still reads, so do we.
 */
export function decodeRecord(value: string): ReleaseRecord {
  const raw = Buffer.from(value, 'base64');
  const json = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  try {
    return JSON.parse(json.toString('utf8')) as ReleaseRecord;
  } catch (e) {
    throw new Error(`decoding release record: ${(e as Error).message}`, { cause: e });
  }
}

/** recordDigest fingerprints a stored record, so changes made outside Capstan can be noticed. */
export function recordDigest(value: string): string {
  return 'sha256:' + createHash('sha256').update(value).digest('hex');
}

/** secretName is Helm's storage key for one revision. */
export function secretName(release: string, version: number): string {
  return `sh.helm.release.v1.${release}.v${version}`;
}

/** goTime formats a Date as Go's time.Time JSON (RFC 3339 with nanoseconds, no trailing zeros). */
export function goTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_, f: string) => (f ? `.${f}Z` : 'Z'));
}
