// How this node serves sys/metrics, from the config file's top-level
// `telemetry` stanza and its listener's own `telemetry` block (Vault's
// configutil.Telemetry and listener telemetry).

/** Vault keeps Prometheus samples this long when prometheus_retention_time is not set. */
export const DEFAULT_PROMETHEUS_RETENTION_MS = 24 * 3600 * 1000;

export interface MetricsSettings {
  /** 0 disables the Prometheus format, as in Vault ("prometheus is not enabled"). */
  prometheusRetentionMs: number;
  /** Vault prefixes gauge names with the host name unless this is set; Coffer never does (see README). */
  disableHostname: boolean;
  /** The listener serves GET /v1/sys/metrics without a token. */
  unauthenticatedAccess: boolean;
}

export const DEFAULT_METRICS_SETTINGS: MetricsSettings = {
  prometheusRetentionMs: DEFAULT_PROMETHEUS_RETENTION_MS,
  disableHostname: false,
  unauthenticatedAccess: false,
};
