import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';
import { parseDurationMs } from './config-values';
import { resolveHttpTimeouts } from './http/listener-timeouts';

const withListener = (lines: string) => `
storage "file" { path = "/tmp/coffer" }
listener "tcp" {
  address = "127.0.0.1:8200"
  tls_disable = true
  ${lines}
}
`;

const errorOf = (text: string) => {
  try {
    parseConfig(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('listener "tcp" http_* timeouts', () => {
  it('reads Vault names and duration spellings; unset ones stay unset', () => {
    const c = parseConfig(withListener('http_read_header_timeout = "500ms"\n http_read_timeout = 45\n http_idle_timeout = "1m30s"'));
    expect(c.listener.httpTimeouts).toEqual({ readHeaderMs: 500, readMs: 45_000, idleMs: 90_000 });
    expect(parseConfig(withListener('')).listener.httpTimeouts).toBeUndefined();
  });

  it('refuses what is not a duration', () => {
    expect(errorOf(withListener('http_write_timeout = "soon"'))).toBe(
      'config: listener "tcp": http_write_timeout must be a duration such as "10s" or "5m", got "soon"',
    );
    expect(errorOf(withListener('http_read_timeout = -1'))).toMatch(/http_read_timeout must be a duration/);
  });

  it("defaults are Vault's, and a zero idle timeout falls back to read, then read_header", () => {
    expect(resolveHttpTimeouts()).toEqual({ readHeaderMs: 10_000, readMs: 30_000, writeMs: 0, idleMs: 300_000 });
    expect(resolveHttpTimeouts({ idleMs: 0 }).idleMs).toBe(30_000);
    expect(resolveHttpTimeouts({ idleMs: 0, readMs: 0 }).idleMs).toBe(10_000);
  });

  it('parseDurationMs: bare numbers are seconds, Go strings anything', () => {
    expect(parseDurationMs(10)).toBe(10_000);
    expect(parseDurationMs('10')).toBe(10_000);
    expect(parseDurationMs('0')).toBe(0);
    expect(parseDurationMs('1h2m3s')).toBe(3_723_000);
    expect(parseDurationMs('1.5s')).toBe(1_500);
    expect(parseDurationMs('5 minutes')).toBeUndefined();
    expect(parseDurationMs(true)).toBeUndefined();
  });
});

describe('listener "tcp" status_feed_allowed_origins', () => {
  it('keeps origins, normalised', () => {
    const c = parseConfig(withListener('status_feed_allowed_origins = ["https://noc.example.com/", "http://10.0.0.5:8300"]'));
    expect(c.listener.statusFeedAllowedOrigins).toEqual(['https://noc.example.com', 'http://10.0.0.5:8300']);
  });

  it('refuses what is not an origin', () => {
    expect(errorOf(withListener('status_feed_allowed_origins = ["https://noc.example.com/wall"]'))).toBe(
      'config: listener "tcp": status_feed_allowed_origins: "https://noc.example.com/wall" is not an http(s) origin',
    );
    expect(errorOf(withListener('status_feed_allowed_origins = [1]'))).toMatch(/must be a list of origins/);
  });
});
