import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { IdentityVerification } from '../auth/workspace.entity';
import type { IdentitySettingsEntity } from './identity.repository';

registerEnumType(IdentityVerification, {
  name: 'IdentityVerification',
  description: 'What an identification (identifyVisitor, `person` on an activity) needs in this workspace.',
  valuesConfig: {
    OFF: { description: "No verification: an identification's fields replace the known person's." },
    OPTIONAL: {
      description:
        "An unverified identification may attach the visitor and merge its anonymous history, but never overwrite a known person's fields; a verified one may.",
    },
    REQUIRED: { description: 'An unverified identification is FORBIDDEN (IDENTITY_UNVERIFIED) and stores nothing.' },
  },
});

@ObjectType({
  description: 'Identity verification: the workspace mode and whether a secret exists (never the secret).',
})
export class IdentityVerificationSettings {
  @Field(() => IdentityVerification)
  mode: IdentityVerification;

  @Field()
  hasSecret: boolean;

  @Field(() => Date, { nullable: true })
  secretRotatedAt: Date | null;

  static from(settings: IdentitySettingsEntity): IdentityVerificationSettings {
    return Object.assign(new IdentityVerificationSettings(), {
      mode: settings.mode,
      hasSecret: settings.secretEnc !== null,
      secretRotatedAt: settings.secretRotatedAt,
    });
  }
}

@ObjectType()
export class RotatedIdentitySecret {
  @Field({
    description:
      "Shown once; stored encrypted. Give it to your backend, which signs each visitor's e-mail with it: hex(HMAC-SHA256(secret, lowercase(trimmed email))).",
  })
  secret: string;

  @Field(() => IdentityVerificationSettings)
  settings: IdentityVerificationSettings;
}
