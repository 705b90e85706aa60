import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

// The telemetry stanzas: top-level telemetry { … } and the listener's own block.
const cfg = (top: string, listener = '') => `
storage "raft" { path = "/tmp/x" }
listener "tcp" {
  address     = "127.0.0.1:8200"
  tls_disable = true
${listener}
}
${top}
`;
const errorOf = (text: string) => {
  try {
    parseConfig(text);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return '';
};

describe('telemetry config', () => {
  it('reads prometheus_retention_time and disable_hostname', () => {
    const c = parseConfig(cfg('telemetry {\n prometheus_retention_time = "30s"\n disable_hostname = true\n}'));
    expect(c.telemetry).toEqual({ prometheusRetentionMs: 30_000, disableHostname: true });
  });

  it('prometheus_retention_time = 0 is kept (it disables the Prometheus format)', () => {
    expect(parseConfig(cfg('telemetry { prometheus_retention_time = 0 }')).telemetry).toEqual({ prometheusRetentionMs: 0 });
    expect(parseConfig(cfg('telemetry { prometheus_retention_time = "0s" }')).telemetry).toEqual({ prometheusRetentionMs: 0 });
  });

  it('no stanza, no settings (Vault defaults apply)', () => {
    expect(parseConfig(cfg('')).telemetry).toBeUndefined();
    expect(parseConfig(cfg('')).listener.unauthenticatedMetricsAccess).toBeUndefined();
  });

  it('refuses a metrics sink it would not feed, and bad values', () => {
    expect(errorOf(cfg('telemetry { statsd_address = "127.0.0.1:8125" }'))).toMatch(/telemetry: "statsd_address" is not supported/);
    expect(errorOf(cfg('telemetry { prometheus_retention_time = "soon" }'))).toMatch(/prometheus_retention_time must be a duration/);
    expect(errorOf(cfg('telemetry { disable_hostname = "maybe" }'))).toMatch(/disable_hostname must be true or false/);
  });

  it("reads the listener's telemetry { unauthenticated_metrics_access = true }", () => {
    const c = parseConfig(cfg('', 'telemetry {\n unauthenticated_metrics_access = true\n}'));
    expect(c.listener.unauthenticatedMetricsAccess).toBe(true);
    expect(errorOf(cfg('', 'telemetry { metrics_only = true }'))).toMatch(/telemetry: unknown key "metrics_only"/);
    expect(errorOf(cfg('', 'telemetry { unauthenticated_metrics_access = "perhaps" }'))).toMatch(/must be true or false/);
  });
});
