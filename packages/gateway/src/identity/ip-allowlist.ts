/**
 * IP allowlists: CIDR blocks (IPv4 and IPv6) set on an organization, a project and optionally a
 * key. A request must come from an address every non-empty list allows; an empty list allows
 * every address. Matching is node's `net.BlockList`, built once per list when the key is loaded.
 * @module
 */
import { BlockList, isIP } from 'node:net';

export type AllowlistScope = 'organization' | 'project' | 'API key';

/** One compiled, non-empty allowlist. */
export interface Allowlist {
  scope: AllowlistScope;
  blocks: BlockList;
}

/** `a.b.c.d/n` or `x:y::z/n`, parsed; a bare address is a /32 or /128. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** The CIDR in `text`, or undefined when it is not one (the admin API answers 400 naming the field). */
export function parseCidr(text: string): Cidr | undefined {
  if (typeof text !== 'string' || text.length > 64) return undefined;
  const [address, bits, extra] = text.trim().split('/');
  if (extra !== undefined || !address) return undefined;
  const v = isIP(address);
  if (v === 0) return undefined;
  const max = v === 4 ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return undefined;
  const prefix = bits === undefined ? max : Number(bits);
  if (prefix > max) return undefined;
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** A stored list compiled for matching; undefined when it is empty (allows everything). Unparseable entries are skipped. */
export function compileAllowlist(scope: AllowlistScope, cidrs: readonly string[]): Allowlist | undefined {
  if (cidrs.length === 0) return undefined;
  // A list whose every entry was unreadable allows nothing rather than everything.
  const blocks = new BlockList();
  for (const text of cidrs) {
    const c = parseCidr(text);
    if (c) blocks.addSubnet(c.address, c.prefix, c.family);
  }
  return { scope, blocks };
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, how dual-stack sockets report IPv4 peers) as IPv4. */
function normalize(ip: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  const v = isIP(address);
  return v === 0 ? undefined : { address, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** The first list that does not allow `ip`, or undefined when every list allows it. */
export function refusingList(lists: readonly Allowlist[], ip: string): Allowlist | undefined {
  if (lists.length === 0) return undefined;
  const a = normalize(ip);
  for (const l of lists) {
    if (!a || !l.blocks.check(a.address, a.family)) return l;
  }
  return undefined;
}
