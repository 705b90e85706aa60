import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { snapshotFileName } from './raft';

describe('snapshotFileName', () => {
  it('names the cluster and the UTC time, without characters file systems refuse', () => {
    expect(snapshotFileName('dallas', new Date('2026-12-02T07:50:43.123Z'))).toBe('raft-snapshot-dallas-2026-12-02T07-50-43Z.snap');
    expect(snapshotFileName(undefined, new Date('2026-12-02T07:50:43Z'))).toBe('raft-snapshot-2026-12-02T07-50-43Z.snap');
  });

  it('is a plain file name for any cluster name', () => {
    fc.assert(
      fc.property(fc.string(), fc.date({ min: new Date(0), max: new Date('9999-12-31'), noInvalidDate: true }), (name, at) => {
        const f = snapshotFileName(name, at);
        expect(f).toMatch(/^raft-snapshot-[A-Za-z0-9_.-]*\.snap$/);
        expect(f).not.toContain('/');
      }),
    );
  });
});
