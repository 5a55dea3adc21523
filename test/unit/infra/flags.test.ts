/**
 * The AppConfig half of the flags, by CDK assertions on the synthesized template: a
 * freeform JSON profile with a JSON Schema validator generated from the flags' zod schema,
 * the initial document from the deploy configuration, a gradual strategy, rollback on the
 * error-rate and fallback-rate alarms, and read access for exactly the readers.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import AjvDraft04 from 'ajv-draft-04';
import { FLAG_DEFINITIONS, FlagsDocument, flagsJsonSchema } from '../../../lambdas/shared/flags/schema';
import type { CoachStack } from '../../../lib/coach-stack';
import type { CoachFunction } from '../../../lib/functions';
import { logicalId, nagViolations, synthesizeCoach, type SynthesizedCoach } from './support';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let defaults: SynthesizedCoach;
let tuned: SynthesizedCoach;

beforeAll(() => {
  defaults = synthesizeCoach();
  tuned = synthesizeCoach({ openaiEnabled: 'false', rolloutPercent: '10', dailyCostBudgetUsd: '40' });
});

const resourcesOf = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
const only = (template: Template, type: string): Resource => {
  const found = Object.values(resourcesOf(template)).filter((r) => r.Type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const ref = (construct: Parameters<typeof logicalId>[0]) => ({ Ref: logicalId(construct) });

function readersOf(stack: CoachStack): Record<string, CoachFunction> {
  const f = stack.functions;
  return { chat: f.chat, poller: f.poller, threads: f.threads, context: f.context };
}

function nonReadersOf(stack: CoachStack): Record<string, CoachFunction> {
  const f = stack.functions;
  return { runs: f.runs, feedback: f.feedback, openapi: f.openapi, authorizer: f.authorizer };
}

function appconfigStatementsOf(synth: SynthesizedCoach, fn: CoachFunction): Statement[] {
  const roleId = logicalId(fn.function.role!);
  return Object.values(resourcesOf(synth.template))
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => JSON.stringify(s.Action).includes('appconfig:'));
}

const envOf = (synth: SynthesizedCoach, fn: CoachFunction) =>
  (
    resourcesOf(synth.template)[logicalId(fn.function)]!.Properties.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;

describe('the flags profile', () => {
  it('is a hosted freeform JSON profile validated by the JSON Schema of the flags document', () => {
    const profile = only(defaults.template, 'AWS::AppConfig::ConfigurationProfile').Properties;

    expect(profile).toMatchObject({ Type: 'AWS.Freeform', LocationUri: 'hosted' });
    expect(profile.Validators).toEqual([{ Type: 'JSON_SCHEMA', Content: JSON.stringify(flagsJsonSchema()) }]);
    expect((profile.Validators as Array<{ Content: string }>)[0]!.Content.length).toBeLessThanOrEqual(32_768);
  });

  it('deploys the flags the deploy configuration sets, a document its own validator accepts', () => {
    // Prepare
    const validate = new AjvDraft04({ strict: false }).compile(flagsJsonSchema());

    // Act
    const version = only(tuned.template, 'AWS::AppConfig::HostedConfigurationVersion').Properties;
    const document: unknown = JSON.parse(version.Content as string);

    // Assess
    expect(version.ContentType).toBe('application/json');
    expect(document).toEqual({
      openai_enabled: false,
      rollout_percent: 10,
      fallback_enabled: true,
      sync_budget_ms: 15_000,
      daily_token_limit_per_user: 200_000,
      daily_cost_limit_usd_per_user: 1,
      global_daily_cost_budget_usd: 40,
    });
    expect(validate(document)).toBe(true);
    expect(FlagsDocument.safeParse(document).success).toBe(true);
  });

  it('rolls the document out with the gradual strategy to the one environment', () => {
    const { template, stack } = defaults;

    expect(only(template, 'AWS::AppConfig::DeploymentStrategy').Properties).toMatchObject({
      GrowthType: 'LINEAR',
      GrowthFactor: 20,
      DeploymentDurationInMinutes: 10,
      FinalBakeTimeInMinutes: 10,
      ReplicateTo: 'NONE',
    });
    expect(only(template, 'AWS::AppConfig::Deployment').Properties).toMatchObject({
      ApplicationId: ref(stack.flags.application),
      EnvironmentId: ref(stack.flags.environment),
      ConfigurationProfileId: { Ref: expect.stringMatching(/^FlagsChatFlagsConfigurationProfile/) },
      ConfigurationVersion: ref(stack.flags.profile),
      DeploymentStrategyId: ref(stack.flags.deploymentStrategy),
    });
  });
});

describe('automatic rollback', () => {
  it('monitors the environment with the error-rate and fallback-rate alarms', () => {
    const { template, stack } = defaults;
    const monitors = only(template, 'AWS::AppConfig::Environment').Properties.Monitors as Array<{
      AlarmArn: unknown;
      AlarmRoleArn: { 'Fn::GetAtt': [string, string] };
    }>;

    expect(monitors.map((m) => m.AlarmArn)).toEqual([
      { 'Fn::GetAtt': [logicalId(stack.monitoring.alarms.errorRate), 'Arn'] },
      { 'Fn::GetAtt': [logicalId(stack.monitoring.alarms.fallbackRate), 'Arn'] },
    ]);
    expect(new Set(monitors.map((m) => m.AlarmRoleArn['Fn::GetAtt'][0])).size).toBe(1);
  });

  it('gives AppConfig a role it alone can assume, allowed to describe alarms and nothing else', () => {
    const { template } = defaults;
    const monitor = (
      only(template, 'AWS::AppConfig::Environment').Properties.Monitors as Array<{
        AlarmRoleArn: { 'Fn::GetAtt': [string, string] };
      }>
    )[0]!;
    const role = resourcesOf(template)[monitor.AlarmRoleArn['Fn::GetAtt'][0]]!;

    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'appconfig.amazonaws.com' } },
      ],
    });
    const statements = (
      role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>
    ).flatMap((p) => p.PolicyDocument.Statement);
    expect(statements.map((s) => s.Action)).toEqual(['cloudwatch:DescribeAlarms']);
  });
});

describe('readers', () => {
  it('get the profile ids and the deployed flags as their environment defaults', () => {
    for (const [name, fn] of Object.entries(readersOf(tuned.stack))) {
      expect({ name, env: envOf(tuned, fn) }).toMatchObject({
        name,
        env: {
          APPCONFIG_APPLICATION_ID: ref(tuned.stack.flags.application),
          APPCONFIG_ENVIRONMENT_ID: ref(tuned.stack.flags.environment),
          APPCONFIG_CONFIGURATION_PROFILE_ID: {
            Ref: expect.stringMatching(/^FlagsChatFlagsConfigurationProfile/),
          },
          [FLAG_DEFINITIONS.openai_enabled.env]: 'false',
          [FLAG_DEFINITIONS.rollout_percent.env]: '10',
          [FLAG_DEFINITIONS.global_daily_cost_budget_usd.env]: '40',
        },
      });
    }
  });

  it('may start a session and read the latest configuration of exactly this profile, and nothing more', () => {
    const { stack } = defaults;
    for (const [name, fn] of Object.entries(readersOf(stack))) {
      const statements = appconfigStatementsOf(defaults, fn);
      expect({ name, statements }).toEqual({
        name,
        statements: [
          {
            Effect: 'Allow',
            Action: ['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession'],
            Resource: stack.resolve(stack.flags.profileArn),
          },
        ],
      });
    }
    expect(JSON.stringify(stack.resolve(stack.flags.profileArn))).toMatch(
      /application\/.*\/environment\/.*\/configuration\//,
    );
  });

  it('are the only functions with AppConfig access or ids', () => {
    for (const [name, fn] of Object.entries(nonReadersOf(defaults.stack))) {
      expect({ name, statements: appconfigStatementsOf(defaults, fn) }).toEqual({ name, statements: [] });
      expect(envOf(defaults, fn)).not.toHaveProperty('APPCONFIG_APPLICATION_ID');
    }
  });
});

describe('operations', () => {
  it('outputs the ids a flags deployment needs', () => {
    const outputs = defaults.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const { flags } = defaults.stack;

    expect(outputs.FlagsApplicationId!.Value).toEqual(ref(flags.application));
    expect(outputs.FlagsEnvironmentId!.Value).toEqual(ref(flags.environment));
    expect(outputs.FlagsConfigurationProfileId!.Value).toEqual({
      Ref: expect.stringMatching(/^FlagsChatFlagsConfigurationProfile/),
    });
    expect(outputs.FlagsDeploymentStrategyId!.Value).toEqual(ref(flags.deploymentStrategy));
  });

  it('is cdk-nag clean, acknowledging only the alarm role with a reason', () => {
    const { app, stack } = defaults;
    const acks = stack.flags.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.entries(m.data as Record<string, string>)),
      );

    expect(nagViolations(app).filter((v) => v.includes('/Flags/'))).toEqual([]);
    expect(acks).toEqual([
      [
        expect.stringMatching(/AwsSolutions-IAM5\[Resource::\*\]$/),
        expect.stringContaining('cloudwatch:DescribeAlarms'),
      ],
    ]);
  });
});
