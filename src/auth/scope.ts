/** What an API key may do. Values are stored in api_key.scopes, so never rename them. */
export enum Scope {
  RECORD = 'RECORD',
  READ = 'READ',
  SUBSCRIBE = 'SUBSCRIBE',
  MANAGE = 'MANAGE',
}

export const ALL_SCOPES: readonly Scope[] = [Scope.RECORD, Scope.READ, Scope.SUBSCRIBE, Scope.MANAGE];
