/**
 * The service's secrets. Each is either created here with a random placeholder value (the
 * operator puts the real value in after the first deploy) or imported by name or ARN.
 * Values never appear in code, context or templates; functions get the secret's id and
 * read the value at cold start.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SecretReference } from './config';

/** A complete secret ARN ends with the six random characters Secrets Manager appends to the name. */
const COMPLETE_ARN_SUFFIX = /-[A-Za-z0-9]{6}$/;

/** One secret and the id a function should look it up by. */
export class CoachSecret extends Construct {
  readonly secret: secretsmanager.ISecret;
  /** What `GetSecretValue` takes: the ARN, or the name when imported by name (its ARN is not known). */
  readonly secretId: string;
  /** True when this stack created the secret (its value must be put in after the first deploy). */
  readonly created: boolean;

  constructor(
    scope: Construct,
    id: string,
    props: { readonly description: string; readonly reference?: SecretReference },
  ) {
    super(scope, id);
    const ref = props.reference;
    if (!ref) {
      this.secret = new secretsmanager.Secret(this, 'Secret', {
        description: `${props.description} (placeholder until the operator puts the real value)`,
        // A random placeholder, never a real value; the real one is put with put-secret-value.
        generateSecretString: { passwordLength: 32, excludePunctuation: true },
        // Deleting the stack must not destroy a key that was put in by hand.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.secretId = this.secret.secretArn;
      this.created = true;
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Third-party credentials (OpenAI API key, Supabase service-role key and JWT secret) are issued by ' +
          'their providers; a Secrets Manager rotation function cannot mint them. They are rotated at the ' +
          'provider and put with put-secret-value (docs/deploy.md, "Rotating a secret").',
      });
    } else if (ref.kind === 'name') {
      this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', ref.name);
      this.secretId = ref.name;
      this.created = false;
    } else {
      this.secret = COMPLETE_ARN_SUFFIX.test(ref.arn)
        ? secretsmanager.Secret.fromSecretCompleteArn(this, 'Secret', ref.arn)
        : secretsmanager.Secret.fromSecretPartialArn(this, 'Secret', ref.arn);
      this.secretId = ref.arn;
      this.created = false;
    }
  }

  /** Lets `grantee` read the value (GetSecretValue and DescribeSecret on this secret only). */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return this.secret.grantRead(grantee);
  }
}

export interface CoachSecretsProps {
  /** Import instead of create. */
  readonly openaiApiKey?: SecretReference;
  /** Import instead of create. */
  readonly supabaseServiceRoleKey?: SecretReference;
  /** Import instead of create (used only when `withJwtSecret`). */
  readonly jwtSecret?: SecretReference;
  /** Whether the authorizer verifies HS256 tokens, so needs the project's JWT secret. */
  readonly withJwtSecret: boolean;
}

export class CoachSecrets extends Construct {
  readonly openaiApiKey: CoachSecret;
  readonly supabaseServiceRoleKey: CoachSecret;
  /** Only when HS256 tokens are accepted. */
  readonly jwtSecret?: CoachSecret;

  constructor(scope: Construct, id: string, props: CoachSecretsProps) {
    super(scope, id);
    this.openaiApiKey = new CoachSecret(this, 'OpenAIApiKey', {
      description: 'MiVia coach: OpenAI API key',
      reference: props.openaiApiKey,
    });
    this.supabaseServiceRoleKey = new CoachSecret(this, 'SupabaseServiceRoleKey', {
      description: 'MiVia coach: Supabase service-role key',
      reference: props.supabaseServiceRoleKey,
    });
    if (props.withJwtSecret) {
      this.jwtSecret = new CoachSecret(this, 'SupabaseJwtSecret', {
        description: 'MiVia coach: Supabase legacy JWT secret (HS256)',
        reference: props.jwtSecret,
      });
    }
  }

  /** Every secret in use. */
  get all(): readonly CoachSecret[] {
    return [this.openaiApiKey, this.supabaseServiceRoleKey, ...(this.jwtSecret ? [this.jwtSecret] : [])];
  }
}
