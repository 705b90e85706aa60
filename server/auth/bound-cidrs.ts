import { BlockList, isIP } from 'node:net';

// CIDR restrictions on logins and tokens (vault sdk/helper/cidrutil), on
// node:net's BlockList: no hand-written address arithmetic. A bare address
// counts as a single-host block (/32 or /128), as Vault's ParseAddrs takes it.

type Family = 'ipv4' | 'ipv6';

interface Block {
  address: string;
  prefix: number;
  family: Family;
}

/** "10.0.0.0/8", "10.1.2.3" or "::1/128" → its block; null when it is none of those. */
function parseBlock(text: string): Block | null {
  const [addr, bits, extra] = text.trim().split('/');
  const version = isIP(addr);
  if (version === 0 || extra !== undefined) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address: addr, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

function listOf(block: Block): BlockList {
  const list = new BlockList();
  list.addSubnet(block.address, block.prefix, block.family);
  return list;
}

export function isCidr(text: string): boolean {
  return parseBlock(text) !== null;
}

/** An IPv4 client seen through a dual-stack socket ("::ffff:127.0.0.1") is that IPv4 address. */
function plainAddress(remote: string): { address: string; family: Family } | null {
  const address = remote.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const version = isIP(address);
  return version === 0 ? null : { address, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Is the request's remote address inside one of the blocks? No address, no entry. */
export function addressAllowed(remote: string | undefined, cidrs: readonly string[]): boolean {
  const from = remote ? plainAddress(remote) : null;
  if (!from) return false;
  return cidrs.some((c) => {
    const block = parseBlock(c);
    return block !== null && block.family === from.family && listOf(block).check(from.address, from.family);
  });
}

/**
 * Is every block of `inner` inside some block of `outer` (cidrutil.SubsetBlocks)?
 * CIDR blocks are aligned, so a block with a prefix at least as long as an outer
 * block's lies wholly inside it as soon as one of its addresses does.
 */
export function cidrsWithin(inner: readonly string[], outer: readonly string[]): boolean {
  const outerBlocks = outer.map(parseBlock);
  return inner.every((c) => {
    const block = parseBlock(c);
    if (!block) return false;
    return outerBlocks.some((o) => o !== null && o.family === block.family && o.prefix <= block.prefix && listOf(o).check(block.address, block.family));
  });
}
