import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

const BASE = `storage "raft" { path = "/tmp/x" }
listener "tcp" {
  address     = "127.0.0.1:8200"
  tls_disable = true
}
`;

describe('user_lockout stanzas', () => {
  it('parses Vault\'s documented form, string values included', () => {
    const c = parseConfig(`${BASE}
user_lockout "all" {
  lockout_duration      = "10m"
  lockout_counter_reset = "10m"
}
user_lockout "userpass" {
  lockout_threshold = "25"
  lockout_duration  = "5m"
  disable_lockout   = "false"
}
user_lockout "approle" {
  disable_lockout = true
}`);
    expect(c.userLockouts).toEqual({
      all: { lockout_duration: 600, lockout_counter_reset: 600 },
      userpass: { lockout_threshold: 25, lockout_duration: 300, disable_lockout: false },
      approle: { disable_lockout: true },
    });
  });

  it('is absent when not configured', () => {
    expect(parseConfig(BASE).userLockouts).toBeUndefined();
  });

  it('refuses unknown types, unknown keys, bad values and repeats, naming the stanza', () => {
    const bad: [string, RegExp][] = [
      ['user_lockout "github" { lockout_threshold = 3 }', /user_lockout "github": unsupported auth type/],
      ['user_lockout "all" { lockout_thresold = 3 }', /user_lockout "all": unknown key "lockout_thresold"/],
      ['user_lockout "all" { lockout_threshold = "many" }', /lockout_threshold must be a whole number/],
      ['user_lockout "all" { lockout_duration = "soon" }', /lockout_duration must be a duration/],
      ['user_lockout "all" { disable_lockout = "maybe" }', /disable_lockout must be true or false/],
      ['user_lockout "all" { lockout_threshold = 3 }\nuser_lockout "all" { lockout_threshold = 4 }', /defined more than once/],
      ['user_lockout = 5', /must be a labelled block/],
    ];
    for (const [hcl, msg] of bad) {
      expect(() => parseConfig(`${BASE}${hcl}\n`), hcl).toThrow(ConfigError);
      expect(() => parseConfig(`${BASE}${hcl}\n`), hcl).toThrow(msg);
    }
  });
});
