import { AppError, ErrorCode, UserInputError, notFound } from '../shared/errors';

export enum CampaignErrorReason {
  CAMPAIGN_NOT_FOUND = 'CAMPAIGN_NOT_FOUND',
  CAMPAIGN_INACTIVE = 'CAMPAIGN_INACTIVE',
  TRIGGERS_COUNT = 'TRIGGERS_COUNT',
  INTERVAL_REQUIRED = 'INTERVAL_REQUIRED',
  INTERVAL_NOT_ALLOWED = 'INTERVAL_NOT_ALLOWED',
  FLOW_TOO_LONG = 'FLOW_TOO_LONG',
  FIELD_REQUIRED = 'FIELD_REQUIRED',
  FIELD_NOT_ALLOWED = 'FIELD_NOT_ALLOWED',
  SCORE_DELTA_INVALID = 'SCORE_DELTA_INVALID',
  WEBHOOK_URL_INVALID = 'WEBHOOK_URL_INVALID',
  /** A private, loopback or metadata address (OUTBOUND_ALLOW_PRIVATE is off). */
  WEBHOOK_URL_NOT_ALLOWED = 'WEBHOOK_URL_NOT_ALLOWED',
  TOO_MANY_CONDITIONS = 'TOO_MANY_CONDITIONS',
}

export const campaignNotFound = (id: string): AppError =>
  notFound('Campaign', id, CampaignErrorReason.CAMPAIGN_NOT_FOUND);

export const campaignInactive = (id: string): AppError =>
  new AppError(
    ErrorCode.BAD_USER_INPUT,
    `Campaign ${JSON.stringify(id)} is not active`,
    ['campaignId'],
    CampaignErrorReason.CAMPAIGN_INACTIVE,
  );

export const campaignInputError = (
  message: string,
  field: ReadonlyArray<string>,
  reason: CampaignErrorReason,
): AppError => new UserInputError(message, field, reason);
