/**
 * cdk-nag's AwsSolutions pack finds nothing unacknowledged, in the default stack (AppConfig
 * flags included) and in one with every option on (HS256 secret, imported secrets, alarm
 * e-mail, explicit account and region), and every acknowledgment carries a real reason.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { nagViolations, synthesizeCoach, type SynthesizedCoach } from './support';

let defaults: SynthesizedCoach;
let everything: SynthesizedCoach;

beforeAll(() => {
  defaults = synthesizeCoach();
  everything = synthesizeCoach({
    stage: 'prod',
    account: '123456789012',
    region: 'eu-central-1',
    supabaseUrl: 'https://abcdefghijkl.supabase.co',
    authMode: 'both',
    openaiSecret: 'mivia/prod/openai',
    supabaseServiceRoleSecret:
      'arn:aws:secretsmanager:eu-central-1:123456789012:secret:mivia/prod/supabase-AbCdEf',
    alarmEmail: 'oncall@example.com',
    chatReservedConcurrency: 20,
  });
});

function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          id,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding for the default stack', () => {
    expect(nagViolations(defaults.app)).toEqual([]);
  });

  it('reports no unacknowledged finding with every option on', () => {
    expect(nagViolations(everything.app)).toEqual([]);
  });

  it('acknowledges only specific findings, each with a reason of substance', () => {
    const acks = [...acknowledgments(defaults.app), ...acknowledgments(everything.app)];
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(ack.reason.length).toBeGreaterThan(60);
      // Wildcard findings are acknowledged one by one, never as a whole rule.
      if (/IAM5|IAM4/.test(ack.id)) expect(ack.id).toMatch(/\[(Resource|Policy|Action)::.+\]$/);
    }
  });

  it('acknowledges the public OpenAPI route, and no other route, as unauthenticated', () => {
    const apig4 = acknowledgments(defaults.app).filter((a) => a.id.endsWith('AwsSolutions-APIG4'));
    expect(apig4.map((a) => a.path)).toEqual([expect.stringMatching(/openapi\.json\/GET$/)]);
  });
});

describe('the everything-on stack', () => {
  it('lets only the authorizer read the JWT secret and passes it by id', () => {
    const { stack, template } = everything;
    const jwt = stack.secrets.jwtSecret!;
    const fnEnv = template.findResources('AWS::Lambda::Function');
    const withJwt = Object.values(fnEnv).filter((r) =>
      JSON.stringify(r.Properties.Environment).includes('SUPABASE_JWT_SECRET_SECRET_ID'),
    );
    expect(withJwt).toHaveLength(1);
    expect(withJwt[0]!.Properties.Environment.Variables.AUTH_MODE).toBe('both');
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const readers = policies.filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(
        stack.resolve((jwt.secret.node.defaultChild as never as { ref: string }).ref).Ref,
      ),
    );
    expect(readers.map((p) => JSON.stringify(p.Properties.Roles))).toEqual([
      expect.stringContaining('FunctionsAuthorizerRole'),
    ]);
  });

  it('imports the secrets it was given instead of creating them', () => {
    everything.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('subscribes the alarm e-mail and reserves chat concurrency', () => {
    everything.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
    const chat = everything.stack.functions.chat.function.node.defaultChild as never as {
      reservedConcurrentExecutions: number;
    };
    expect(chat.reservedConcurrentExecutions).toBe(20);
  });
});
