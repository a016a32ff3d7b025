import { UserInputError } from '../shared/errors';

export enum WorkspaceSettingsErrorReason {
  TIME_ZONE_INVALID = 'TIME_ZONE_INVALID',
}

export const timeZoneInvalid = (): UserInputError =>
  new UserInputError(
    'timeZone must be an IANA time zone name such as "Europe/Berlin", "America/New_York" or "UTC" (an offset such as "+02:00" does not follow DST)',
    ['input', 'timeZone'],
    WorkspaceSettingsErrorReason.TIME_ZONE_INVALID,
  );
