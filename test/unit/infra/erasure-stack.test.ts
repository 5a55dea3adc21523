/**
 * What the stack deploys for export and erasure: the two routes on the ai-data function, that
 * function and the erasure task (runtime, timeouts, secrets, who may start what), the erasure
 * state machine (exactly the definition local runs execute), its alarm on the alarm topic,
 * and nothing cdk-nag objects to. Bundling is skipped: these are the template's properties.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Template } from 'aws-cdk-lib/assertions';
import type { RawDeployContext } from '../../../lib/config';
import type { CoachStack } from '../../../lib/coach-stack';
import type { CoachFunction } from '../../../lib/functions';
import { ERASURE_TIMEOUT_HOURS, erasureStateMachineDefinition } from '../../../lib/erasure';
import { logicalId, nagViolations, synthesizeCoach, type SynthesizedCoach } from './support';

type Resource = { Type: string; Properties: Record<string, unknown> };

let synthesized: SynthesizedCoach;
let stack: CoachStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  synthesized = synthesizeCoach({ 'aws:cdk:bundling-stacks': [] } as RawDeployContext);
  ({ stack, template } = synthesized);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const props = (construct: Parameters<typeof logicalId>[0]) => {
  const resource = resources[logicalId(construct)];
  if (!resource) throw new Error(`no resource for ${construct.node.path}`);
  return resource.Properties;
};
const envOf = (fn: CoachFunction) =>
  (props(fn.function).Environment as { Variables: Record<string, unknown> }).Variables;

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
function statementsOfRole(roleId: string): Statement[] {
  return Object.values(resources)
    .filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`),
    )
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the ai-data routes', () => {
  it('answer POST /functions/v1/ai-data and GET …/ai-data/erasures/{erasure_id} with the ai-data function, behind the authorizer', () => {
    const authorizer = logicalId(stack.api.authorizer);
    const fn = logicalId(stack.functions.aiData.function);
    for (const route of ['POST /functions/v1/ai-data', 'GET /functions/v1/ai-data/erasures/{erasure_id}']) {
      const method = stack.api.methods[route];
      expect({ route, exists: method !== undefined }).toEqual({ route, exists: true });
      const p = props(method!);
      expect({ route, type: p.AuthorizationType, id: p.AuthorizerId }).toEqual({
        route,
        type: 'CUSTOM',
        id: { Ref: authorizer },
      });
      expect(JSON.stringify(p.Integration)).toContain(fn);
    }
  });

  it('check the POST body against a JSON object model that requires `action` before the handler runs', () => {
    const p = props(stack.api.methods['POST /functions/v1/ai-data']!);
    const model = resources[(p.RequestModels as Record<string, { Ref: string }>)['application/json']!.Ref]!;
    expect(model.Properties.Schema).toMatchObject({ type: 'object', required: ['action'] });
  });
});

describe('the ai-data and erasure functions', () => {
  it('run Node.js 24 on arm64 with tracing: ai-data in 28 s (under API Gateway 29 s), the erasure task in 120 s', () => {
    for (const [fn, timeout] of [
      [stack.functions.aiData, 28],
      [stack.functions.erasure, 120],
    ] as const) {
      expect(props(fn.function)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Timeout: timeout,
      });
    }
  });

  it('read the OpenAI key and the service-role key, by secret id only', () => {
    const openai = logicalId(stack.secrets.openaiApiKey.secret);
    const serviceRole = logicalId(stack.secrets.supabaseServiceRoleKey.secret);
    for (const fn of [stack.functions.aiData, stack.functions.erasure]) {
      const read = statementsOfRole(logicalId(fn.function.role!))
        .filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
        .map((r) => (r as { Ref: string }).Ref)
        .sort();
      expect(read).toEqual([openai, serviceRole].sort());
      expect(envOf(fn)).toMatchObject({
        OPENAI_API_KEY_SECRET_ID: { Ref: openai },
        SUPABASE_SERVICE_ROLE_KEY_SECRET_ID: { Ref: serviceRole },
      });
    }
  });

  it('let only the ai-data function start the erasure state machine, which it finds by ERASURE_STATE_MACHINE_ARN', () => {
    const machine = logicalId(stack.erasure.stateMachine);
    expect(envOf(stack.functions.aiData).ERASURE_STATE_MACHINE_ARN).toEqual({ Ref: machine });
    const starts = statementsOfRole(logicalId(stack.functions.aiData.function.role!)).filter((s) =>
      actions(s).includes('states:StartExecution'),
    );
    expect(starts).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: { Ref: machine } })]);
    for (const fn of stack.functions.all.filter((f) => f !== stack.functions.aiData)) {
      expect(envOf(fn)).not.toHaveProperty('ERASURE_STATE_MACHINE_ARN');
    }
  });
});

describe('the erasure state machine', () => {
  it('is Standard, traced, times out after a day and logs every event without execution data', () => {
    const p = props(stack.erasure.stateMachine);
    expect(p.StateMachineType).toBe('STANDARD');
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    expect(p.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: 'ALL' });
    expect(JSON.stringify(p.DefinitionString)).toContain(
      `\\"TimeoutSeconds\\":${ERASURE_TIMEOUT_HOURS * 3600}`,
    );
  });

  it('deploys exactly the definition that erasureStateMachineDefinition() exports for local runs', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:erase';
    const fn = logicalId(stack.functions.erasure.function);
    const join = (props(stack.erasure.stateMachine).DefinitionString as { 'Fn::Join': [string, unknown[]] })[
      'Fn::Join'
    ];
    const text = join[1]
      .map((part) =>
        typeof part === 'string'
          ? part
          : JSON.stringify(part) === JSON.stringify({ 'Fn::GetAtt': [fn, 'Arn'] })
            ? arn
            : '?',
      )
      .join(join[0]);

    expect(JSON.parse(text)).toEqual(erasureStateMachineDefinition({ erasureFunctionArn: arn }));
  });

  it('may only invoke the erasure task (plus the tracing and log-delivery calls)', () => {
    const invokes = statementsOfRole(logicalId(stack.erasure.stateMachine.role)).filter((s) =>
      actions(s).includes('lambda:InvokeFunction'),
    );
    const fn = logicalId(stack.functions.erasure.function);
    expect(invokes.length).toBeGreaterThan(0);
    for (const s of invokes) expect(JSON.stringify(s.Resource)).not.toMatch(/"\*"/);
    expect(JSON.stringify(invokes)).toContain(fn);
    expect(JSON.stringify(invokes)).not.toContain(logicalId(stack.functions.poller.function));
  });
});

describe('the erasure alarm', () => {
  it('fires on one execution that failed, timed out or was aborted, and tells the alarm topic (and when it clears)', () => {
    const p = props(stack.erasure.failedAlarm);
    const topic = { Ref: logicalId(stack.monitoring.alarmTopic) };
    expect(p).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    const metrics = p.Metrics as Array<{
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }>;
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(
      'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
    );
    expect(metrics.flatMap((m) => m.MetricStat?.Metric.MetricName ?? []).sort()).toEqual([
      'ExecutionsAborted',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    expect(String(p.AlarmDescription)).toContain('docs/safety.md');
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the erasure runner or the ai-data functions', () => {
    const ours = nagViolations(synthesized.app).filter((v) => /ErasureRunner|AiData|Erasure/.test(v));
    expect(ours).toEqual([]);
  });
});
