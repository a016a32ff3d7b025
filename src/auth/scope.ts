/** What an API key may do. Values are stored in api_key.scopes, so never rename them. */
export enum Scope {
  RECORD = 'RECORD',
  READ = 'READ',
  SUBSCRIBE = 'SUBSCRIBE',
  MANAGE = 'MANAGE',
}

export const ALL_SCOPES: readonly Scope[] = [Scope.RECORD, Scope.READ, Scope.SUBSCRIBE, Scope.MANAGE];

/**
 * A public key: one that can record but neither read nor manage, the chat
 * widget's, which ships in web pages where anyone can copy it. What it gets
 * back never holds personal data, its identifications are unverified unless
 * they carry a valid identity hash, and its rate limits count per client
 * address and per visitor, so one copier cannot spend everyone's budget.
 */
export const isPublicKey = (scopes: ReadonlySet<Scope>): boolean =>
  scopes.has(Scope.RECORD) && !scopes.has(Scope.READ) && !scopes.has(Scope.MANAGE);
