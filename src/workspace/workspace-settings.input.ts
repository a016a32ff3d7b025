import { Field, InputType } from 'type-graphql';

/* Checked by WorkspaceSettingsService (an IANA name is more than a pattern). */
@InputType()
export class WorkspaceSettingsInput {
  @Field(() => String, {
    nullable: true,
    description:
      'IANA time zone name ("Europe/Berlin"), stored as Intl resolves it; calendar time frames (inTimeFrame) use it. Omitted or null keeps the current one.',
  })
  timeZone?: string | null;
}
