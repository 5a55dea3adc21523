/**
 * `CoachFlags`: the chat's feature flags as an AWS AppConfig feature-flag profile, deployed
 * gradually with the chat alarms as monitors, so a bad flag change rolls itself back.
 *
 * Opt-in (`-c featureFlags=true`) until the chat function reads AppConfig: today it reads
 * the same flags from its environment, and a profile nobody reads would suggest a kill
 * switch that does nothing. The function gets the ids and the read permission already.
 */
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface CoachFlagValues {
  readonly openaiEnabled: boolean;
  readonly fallbackEnabled: boolean;
  readonly rolloutPercent: number;
}

export interface CoachFlagsProps {
  readonly stage: string;
  /** The initial values (the same ones the functions get as environment variables). */
  readonly flags: CoachFlagValues;
  /** A deployment in progress is rolled back when one of these goes into ALARM. */
  readonly rollbackAlarms: readonly cw.IAlarm[];
  /** Functions that read the flags: they get the ids and read access. */
  readonly readers: readonly lambda.Function[];
}

/** The AppConfig feature-flag document for the given values (format `AWS.AppConfig.FeatureFlags`, version 1). */
export function featureFlagDocument(values: CoachFlagValues): Record<string, unknown> {
  return {
    version: '1',
    flags: {
      openai_enabled: { name: 'OpenAI replies', description: 'Kill switch: off = every reply is simulated' },
      fallback_enabled: {
        name: 'Simulated fallback',
        description: 'Answer with the simulated coach when OpenAI fails',
      },
      openai_rollout: {
        name: 'OpenAI rollout',
        description: 'Share of users (stable hash of the user id) who get OpenAI replies',
        attributes: {
          percent: { constraints: { type: 'number', minimum: 0, maximum: 100, required: true } },
        },
      },
    },
    values: {
      openai_enabled: { enabled: values.openaiEnabled },
      fallback_enabled: { enabled: values.fallbackEnabled },
      openai_rollout: { enabled: values.rolloutPercent > 0, percent: values.rolloutPercent },
    },
  };
}

export class CoachFlags extends Construct {
  readonly application: appconfig.Application;
  readonly environment: appconfig.Environment;
  readonly profile: appconfig.HostedConfiguration;

  constructor(scope: Construct, id: string, props: CoachFlagsProps) {
    super(scope, id);
    this.application = new appconfig.Application(this, 'Application', {
      description: 'MiVia coach feature flags',
    });
    this.environment = new appconfig.Environment(this, 'Environment', {
      application: this.application,
      description: `MiVia coach ${props.stage}`,
      monitors: props.rollbackAlarms.map((alarm) => appconfig.Monitor.fromCloudWatchAlarm(alarm)),
    });
    const strategy = new appconfig.DeploymentStrategy(this, 'Gradual', {
      description:
        'Flag changes reach 20% more users every 2 minutes, then bake 10 minutes watched by the alarms',
      rolloutStrategy: appconfig.RolloutStrategy.linear({
        growthFactor: 20,
        deploymentDuration: Duration.minutes(10),
        finalBakeTime: Duration.minutes(10),
      }),
    });
    this.profile = new appconfig.HostedConfiguration(this, 'ChatFlags', {
      application: this.application,
      description: 'Chat flags: kill switch, fallback, rollout percentage',
      type: appconfig.ConfigurationType.FEATURE_FLAGS,
      content: appconfig.ConfigurationContent.fromInlineJson(
        JSON.stringify(featureFlagDocument(props.flags)),
      ),
      deploymentStrategy: strategy,
      deployTo: [this.environment],
    });

    Validations.of(this.environment).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The role AppConfig assumes to watch the rollback alarms: cloudwatch:DescribeAlarms supports no ' +
        'resource-level permissions.',
    });

    // Read access to this one profile in this one environment (the L2 grant covers every profile).
    const profileArn = Stack.of(this).formatArn({
      service: 'appconfig',
      resource: 'application',
      resourceName: `${this.application.applicationId}/environment/${this.environment.environmentId}/configuration/${this.profile.configurationProfileId}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    for (const fn of props.readers) {
      fn.addEnvironment('APPCONFIG_APPLICATION_ID', this.application.applicationId);
      fn.addEnvironment('APPCONFIG_ENVIRONMENT_ID', this.environment.environmentId);
      fn.addEnvironment('APPCONFIG_CONFIGURATION_PROFILE_ID', this.profile.configurationProfileId);
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
        resourceArns: [profileArn],
      });
    }
  }
}
