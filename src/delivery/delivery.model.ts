/** Values are stored; never rename them. */
export enum DeliveryKind {
  ACTIVITY = 'ACTIVITY',
  INTERESTING_MOMENT = 'INTERESTING_MOMENT',
  WEBHOOK = 'WEBHOOK',
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
}
