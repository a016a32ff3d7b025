/**
 * Open WebSocket connections per client address and per API key, on this
 * instance: a connection past either cap is closed (4429). 0 turns a cap off.
 */
export class ConnectionCaps {
  private readonly byIp = new Map<string, number>();
  private readonly byKey = new Map<string, number>();

  constructor(
    private readonly perIp: number,
    private readonly perKey: number,
  ) {}

  openFromIp(ip: string): boolean {
    return ConnectionCaps.open(this.byIp, ip, this.perIp);
  }

  closeFromIp(ip: string): void {
    ConnectionCaps.close(this.byIp, ip);
  }

  openWithKey(apiKeyId: string): boolean {
    return ConnectionCaps.open(this.byKey, apiKeyId, this.perKey);
  }

  closeWithKey(apiKeyId: string): void {
    ConnectionCaps.close(this.byKey, apiKeyId);
  }

  private static open(counts: Map<string, number>, key: string, cap: number): boolean {
    const count = counts.get(key) ?? 0;
    if (cap > 0 && count >= cap) return false;
    counts.set(key, count + 1);
    return true;
  }

  private static close(counts: Map<string, number>, key: string): void {
    const count = (counts.get(key) ?? 1) - 1;
    if (count > 0) counts.set(key, count);
    else counts.delete(key);
  }
}
