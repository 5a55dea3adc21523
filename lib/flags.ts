/**
 * `CoachFlags`: the flags document (lambdas/shared/flags/schema.ts) as an AWS AppConfig
 * freeform JSON profile, validated at deployment by a JSON Schema generated from the same
 * zod schema the functions read it with, deployed gradually, and rolled back automatically
 * when the chat error-rate or fallback-rate alarm goes off during a deployment.
 *
 * Freeform JSON rather than AppConfig's feature-flag type: the document stays the same JSON
 * as the local flags file (plain keys and values, no `{ enabled, attributes }` wrapping),
 * Powertools hands it over as it was deployed, and AppConfig accepts JSON Schema validators
 * for freeform profiles only.
 *
 * The readers get the profile's ids, read access to this one profile, and the deployed
 * document's values as their environment defaults (used while AppConfig cannot be reached).
 */
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  FLAG_DEFINITIONS,
  FlagsDocument,
  flagsJsonSchema,
  type FlagKey,
} from '../lambdas/shared/flags/schema';
import type { DeployConfig } from './config';

/**
 * The document the stack deploys: the flags the deploy configuration sets. The other keys
 * keep the functions' defaults until an operator sets them in AppConfig.
 */
export function initialFlagsDocument(
  config: Pick<
    DeployConfig,
    | 'openaiEnabled'
    | 'fallbackEnabled'
    | 'rolloutPercent'
    | 'syncBudgetMs'
    | 'dailyTokenLimitPerUser'
    | 'dailyCostLimitUsdPerUser'
    | 'dailyCostBudgetUsd'
  >,
): FlagsDocument {
  // Parsed, so a deploy value outside the flags' own bounds fails the synth, not the deployment.
  return FlagsDocument.parse({
    openai_enabled: config.openaiEnabled,
    fallback_enabled: config.fallbackEnabled,
    rollout_percent: config.rolloutPercent,
    sync_budget_ms: config.syncBudgetMs,
    daily_token_limit_per_user: config.dailyTokenLimitPerUser,
    daily_cost_limit_usd_per_user: config.dailyCostLimitUsdPerUser,
    global_daily_cost_budget_usd: config.dailyCostBudgetUsd,
  });
}

export interface CoachFlagsProps {
  readonly stage: string;
  /** The document deployed with the stack (see `initialFlagsDocument`). */
  readonly document: FlagsDocument;
  /** A deployment in progress (or baking) is rolled back when one of these goes into ALARM. */
  readonly rollbackAlarms: readonly cw.IAlarm[];
  /** Functions that read the flags: they get the ids, the defaults and read access. */
  readonly readers: readonly lambda.Function[];
}

export class CoachFlags extends Construct {
  readonly application: appconfig.Application;
  readonly environment: appconfig.Environment;
  readonly deploymentStrategy: appconfig.DeploymentStrategy;
  readonly profile: appconfig.HostedConfiguration;
  /** The ARN readers are granted: this profile in this environment. */
  readonly profileArn: string;

  constructor(scope: Construct, id: string, props: CoachFlagsProps) {
    super(scope, id);
    this.application = new appconfig.Application(this, 'Application', {
      description: 'MiVia coach flags: kill switch, rollout, fallback, limits, safety switches',
    });
    this.environment = new appconfig.Environment(this, 'Environment', {
      application: this.application,
      description: `MiVia coach ${props.stage}`,
      monitors: props.rollbackAlarms.map((alarm) => appconfig.Monitor.fromCloudWatchAlarm(alarm)),
    });
    this.deploymentStrategy = new appconfig.DeploymentStrategy(this, 'Gradual', {
      description:
        'Flag changes reach 20% more containers every 2 minutes, then bake 10 minutes watched by the rollback alarms',
      rolloutStrategy: appconfig.RolloutStrategy.linear({
        growthFactor: 20,
        deploymentDuration: Duration.minutes(10),
        finalBakeTime: Duration.minutes(10),
      }),
    });
    this.profile = new appconfig.HostedConfiguration(this, 'ChatFlags', {
      application: this.application,
      description: 'The flags document (JSON); keys and bounds in the validator',
      type: appconfig.ConfigurationType.FREEFORM,
      validators: [appconfig.JsonSchemaValidator.fromInline(JSON.stringify(flagsJsonSchema()))],
      content: appconfig.ConfigurationContent.fromInlineJson(JSON.stringify(props.document, null, 2)),
      deploymentStrategy: this.deploymentStrategy,
      deployTo: [this.environment],
    });

    Validations.of(this.environment).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The role AppConfig assumes to watch the rollback alarms has one action, cloudwatch:DescribeAlarms, on ' +
        '"*" as AWS documents the AppConfig monitor role (CDK generates it so).',
    });

    // Read access to this one profile in this one environment (the L2 grant covers every profile).
    this.profileArn = Stack.of(this).formatArn({
      service: 'appconfig',
      resource: 'application',
      resourceName: `${this.application.applicationId}/environment/${this.environment.environmentId}/configuration/${this.profile.configurationProfileId}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const defaults = Object.entries(props.document) as Array<[FlagKey, unknown]>;
    for (const fn of props.readers) {
      fn.addEnvironment('APPCONFIG_APPLICATION_ID', this.application.applicationId);
      fn.addEnvironment('APPCONFIG_ENVIRONMENT_ID', this.environment.environmentId);
      fn.addEnvironment('APPCONFIG_CONFIGURATION_PROFILE_ID', this.profile.configurationProfileId);
      for (const [key, value] of defaults) fn.addEnvironment(FLAG_DEFINITIONS[key].env, String(value));
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
        resourceArns: [this.profileArn],
      });
    }
  }
}
