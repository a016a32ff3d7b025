import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import type { Config } from '../config';

type Trust = (address: string, hop: number) => boolean;

/**
 * TRUST_PROXY as Express's `trust proxy` read it: a hop count trusts that
 * many proxies nearest the server (Fastify alone would trust none for a
 * number); true, false and address lists mean the same to both.
 */
export function trustProxyOption(setting: Config['trustProxy']): boolean | string | Trust {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

/**
 * The client's address for a raw request (a WebSocket upgrade), exactly as
 * Fastify computes `request.ip` for HTTP under the same TRUST_PROXY, so one
 * client spends one budget whichever way it comes in.
 */
export function clientIpResolver(setting: Config['trustProxy']): (request: IncomingMessage) => string {
  const option = trustProxyOption(setting);
  const trust: Trust =
    typeof option === 'function'
      ? option
      : option === true
        ? () => true
        : option === false
          ? () => false
          : proxyAddr.compile(option.split(',').map((value) => value.trim()));
  return (request) => {
    const addresses = proxyAddr.all(request, trust);
    return addresses[addresses.length - 1] ?? 'unknown';
  };
}
