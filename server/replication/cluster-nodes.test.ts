import { describe, expect, it } from 'vitest';
import { NodeListOnLink } from './cluster-nodes';

describe('NodeListOnLink', () => {
  it('tells the node list in the hello-ack, then on a heartbeat only when it changed', () => {
    let list = ['https://a:8201', 'https://b:8201'];
    const link = new NodeListOnLink(() => list);
    expect(link.first()).toEqual({ clusterAddrs: ['https://a:8201', 'https://b:8201'] });
    expect(link.changed()).toEqual({});
    list = ['https://a:8201'];
    expect(link.changed()).toEqual({ clusterAddrs: ['https://a:8201'] });
    expect(link.changed()).toEqual({});
  });

  it('a primary behind primary_cluster_addr (no list) tells nothing', () => {
    const link = new NodeListOnLink(() => []);
    expect(link.first()).toEqual({});
    expect(link.changed()).toEqual({});
  });
});
