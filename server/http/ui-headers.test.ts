import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, uiSecurityHeaders, withUiHeaders } from './ui-headers';

const VAULT_CSP =
  "default-src 'none'; connect-src 'self'; img-src 'self' data:; script-src 'self' 'nonce-N'; style-src 'unsafe-inline' 'self'; form-action 'none'; frame-ancestors 'none'; font-src 'self'";

describe('contentSecurityPolicy', () => {
  it("is Vault's UI policy plus the response's script nonce", () => {
    expect(contentSecurityPolicy('/ui/vault/secrets', 'N')).toBe(VAULT_CSP);
  });

  it('lets only the wall connect to other clusters (ws:, wss:)', () => {
    expect(contentSecurityPolicy('/ui/wall', 'N')).toContain("connect-src 'self' ws: wss:;");
    expect(contentSecurityPolicy('/ui/wallpaper', 'N')).toContain("connect-src 'self';");
  });

  it('lets the DR drill screens call other clusters over http: and https:, and no other console page', () => {
    expect(contentSecurityPolicy('/ui/vault/replication/drills/new', 'N')).toContain("connect-src 'self' http: https:;");
    expect(contentSecurityPolicy('/ui/vault/replication/drills', 'N')).toContain("connect-src 'self' http: https:;");
    expect(contentSecurityPolicy('/ui/vault/replication/drillsx', 'N')).toContain("connect-src 'self';");
    expect(contentSecurityPolicy('/ui/vault/replication/dr', 'N')).toContain("connect-src 'self';");
  });

  it("adds 'unsafe-eval' only in dev mode", () => {
    expect(contentSecurityPolicy('/ui/', 'N', true)).toContain("script-src 'self' 'nonce-N' 'unsafe-eval'");
    expect(contentSecurityPolicy('/ui/', 'N')).not.toContain('unsafe-eval');
  });
});

describe('withUiHeaders', () => {
  it('sets the headers, and hands Next its own nonce whatever policy the client sent', () => {
    const req = { url: '/ui/vault/auth?x=1', headers: { 'content-security-policy': "script-src 'nonce-mine'", 'content-security-policy-report-only': "script-src 'nonce-mine'" } } as unknown as IncomingMessage;
    const set: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (set[k] = v) } as unknown as ServerResponse;
    let called = false;
    withUiHeaders(() => (called = true))(req, res);
    expect(called).toBe(true);
    const nonce = /'nonce-([^']+)'/.exec(set['Content-Security-Policy'])![1];
    expect(nonce).not.toBe('mine');
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(req.headers['content-security-policy']).toBe(set['Content-Security-Policy']);
    expect(req.headers['content-security-policy-report-only']).toBeUndefined();
    expect(set).toMatchObject({ 'X-Frame-Options': 'DENY', 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
    expect(uiSecurityHeaders('/ui/', 'N')['Content-Security-Policy']).toBe(VAULT_CSP);
  });
});
