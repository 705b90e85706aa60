import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it('accepts seconds as numbers and digit strings', () => {
    expect(parseDuration(45)).toBe(45);
    expect(parseDuration('30')).toBe(30);
    expect(parseDuration('')).toBe(0);
    expect(parseDuration(undefined)).toBe(0);
  });

  it('accepts Go duration strings and days', () => {
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('3h25m19s')).toBe(12319);
    expect(parseDuration('1.5h')).toBe(5400);
    expect(parseDuration('0.1h')).toBe(360);
    expect(parseDuration('1500ms')).toBe(1);
    expect(parseDuration('2d')).toBe(172800);
    expect(parseDuration('0')).toBe(0);
  });

  it('rejects garbage, negatives and wrong types with a 400 naming the field', () => {
    for (const bad of ['soon', '1x', '-5', '-1h', 'h', '1h 30m', 1.5, -3, true, {}, ['1h']]) {
      expect(() => parseDuration(bad, 'token_ttl')).toThrow(/"token_ttl"/);
    }
    try {
      parseDuration('nope');
    } catch (e) {
      expect((e as { status: number }).status).toBe(400);
    }
  });
});

describe('formatDuration', () => {
  it('prints like Go time.Duration', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(300)).toBe('5m0s');
    expect(formatDuration(3600)).toBe('1h0m0s');
    expect(formatDuration(12319)).toBe('3h25m19s');
  });
});
