import type { ActivityEntity } from './activity.entity';

/** What recording one input did. */
export enum RecordOutcome {
  RECORDED = 'RECORDED',
  DUPLICATE_REQUEST = 'DUPLICATE_REQUEST',
  ALREADY_LOGGED_IN_SESSION = 'ALREADY_LOGGED_IN_SESSION',
}

/**
 * One input's answer: the activity, or why not. `error` is an AppError for a
 * problem of the input itself (BAD_USER_INPUT, CONFLICT, FORBIDDEN...), or
 * whatever an unexpected failure of this one input threw (masked for the client).
 */
export type RecordResult =
  | {
      ok: true;
      outcome: RecordOutcome;
      activity: ActivityEntity;
      /** Whether the input's `person` was a verified identity; null without `person`. */
      identityVerified: boolean | null;
    }
  | { ok: false; error: unknown };
