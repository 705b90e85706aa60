import { describe, expect, it } from 'vitest';
import { activeNodeLabel } from './ha-nodes';

describe('activeNodeLabel', () => {
  it("names the feed's active node with its address, else falls back to sys/leader's address", () => {
    expect(activeNodeLabel({ node_id: 'dallas-2', api_address: 'http://127.0.0.1:8210', state: 'active' }, 'http://x')).toBe('dallas-2 (http://127.0.0.1:8210)');
    expect(activeNodeLabel({ node_id: 'dallas-2', api_address: '', state: 'active' })).toBe('dallas-2');
    expect(activeNodeLabel(null, 'http://127.0.0.1:8200')).toBe('http://127.0.0.1:8200');
    expect(activeNodeLabel(null, '')).toBeNull();
  });
});
