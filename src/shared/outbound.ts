import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';

/**
 * What the server may POST to (webhooks, Sales Insight): public addresses
 * only, unless OUTBOUND_ALLOW_PRIVATE is on (local development and tests).
 * Otherwise anyone who can set a webhook URL could make the server reach
 * what only it can reach: loopback, the private network, the cloud metadata
 * service.
 */
export interface OutboundPolicy {
  allowPrivate: boolean;
}

/** Names that mean "this machine" or the cloud's metadata service, whatever DNS says. */
const BLOCKED_NAME = /(^|\.)localhost$|^metadata\.google\.internal$|^metadata$|^instance-data(\.ec2\.internal)?$/i;

/**
 * A public unicast address. Everything else is refused: loopback,
 * link-local (169.254.169.254 included), private, carrier-grade NAT, unique
 * local, multicast, reserved, unspecified (0.0.0.0), and IPv4 embedded in
 * IPv6 (mapped, 6to4, NAT64, Teredo), judged as the address it carries or
 * refused outright.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/** The host of a URL as an IP address when it is one (the WHATWG parser turns 2130706433 and 0x7f.1 into dotted form). */
function literalAddress(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) ? bare : null;
}

/**
 * Why the server must not POST to this URL as written, or null: a host
 * that is a non-public address or a name of this machine or of the metadata
 * service. (A name that resolves to such an address is refused when sending,
 * see post.) Used to refuse a URL when it is set, with a clear error.
 */
export function outboundUrlProblem(url: string, policy: OutboundPolicy): string | null {
  if (policy.allowPrivate) return null;
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return 'is not a URL';
  }
  const literal = literalAddress(hostname);
  if (literal) return isPublicAddress(literal) ? null : 'points at a private, loopback or reserved address';
  return BLOCKED_NAME.test(hostname.replace(/\.$/, '')) ? 'names this machine or a metadata service' : null;
}

/** A refused destination: never connected to. */
export class OutboundRefusedError extends Error {
  readonly code = 'OUTBOUND_REFUSED';
}

/**
 * dns.lookup that answers only public addresses: the socket connects to
 * the address checked here, so a name that resolves to a public address for
 * the check and to 127.0.0.1 for the connection (DNS rebinding) cannot slip
 * through.
 */
function publicOnlyLookup(
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address))) {
      return callback(new OutboundRefusedError(`${hostname} resolves to a private, loopback or reserved address`), []);
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0].address, addresses[0].family);
  });
}

export interface PostResult {
  status: number;
  /** Node's own text for the status (never the remote's reason phrase). */
  statusText: string;
}

/**
 * POSTs `body` and resolves with the response status once its headers
 * arrive; the response body is never read. Redirects are not followed (a 3xx
 * is the answer), so a receiver cannot bounce signed data elsewhere.
 */
export function post(
  url: string,
  options: { headers: Record<string, string>; body: string; signal: AbortSignal; policy: OutboundPolicy },
): Promise<PostResult> {
  const target = new URL(url);
  const problem = outboundUrlProblem(url, options.policy);
  if (problem) return Promise.reject(new OutboundRefusedError(`the URL ${problem}`));
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        headers: { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) },
        signal: options.signal,
        // No connection kept between deliveries: each one resolves and checks its destination afresh.
        agent: false,
        lookup: options.policy.allowPrivate ? undefined : publicOnlyLookup,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.destroy();
        resolve({ status, statusText: STATUS_CODES[status] ?? 'Unknown status' });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** A failed POST as a short fixed text: what happened, never what a remote said or where it is. */
export function describePostError(err: unknown): string {
  if (err instanceof OutboundRefusedError) return `refused: ${err.message} (set OUTBOUND_ALLOW_PRIVATE=true to allow)`;
  const code = (err as { code?: string } | null)?.code ?? '';
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EPIPE: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  if (reasons[code]) return reasons[code];
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) return 'TLS handshake failed';
  return 'the request failed';
}
