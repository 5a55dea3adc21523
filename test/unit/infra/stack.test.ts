/**
 * What the default stack deploys, concern by concern: functions, secrets and who reads them,
 * the API, the poller and monitoring. One synthesis (real esbuild bundling) for the file.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CoachStack } from '../../../lib/coach-stack';
import type { CoachFunction } from '../../../lib/functions';
import { pollerStateMachineDefinition } from '../../../lib/poller';
import { logicalId, synthesizeCoach } from './support';

type Resource = { Type: string; Properties: Record<string, unknown> };

let stack: CoachStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  ({ stack, template } = synthesizeCoach());
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const props = (construct: Parameters<typeof logicalId>[0]) => {
  const resource = resources[logicalId(construct)];
  if (!resource) throw new Error(`no resource for ${construct.node.path}`);
  return resource.Properties;
};

const functionsByName = (): Record<string, CoachFunction> => ({
  chat: stack.functions.chat,
  runs: stack.functions.runs,
  threads: stack.functions.threads,
  context: stack.functions.context,
  feedback: stack.functions.feedback,
  openapi: stack.functions.openapi,
  authorizer: stack.functions.authorizer,
  poller: stack.functions.poller,
});

const envOf = (fn: CoachFunction) =>
  (props(fn.function).Environment as { Variables: Record<string, unknown> }).Variables;

/** Every IAM statement attached to the function's role. */
function statementsOf(fn: CoachFunction): Array<{ Action: string | string[]; Resource: unknown }> {
  const roleId = logicalId(fn.function.role!);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(
      (r) =>
        (
          r.Properties.PolicyDocument as {
            Statement: Array<{ Action: string | string[]; Resource: unknown }>;
          }
        ).Statement,
    );
}

const actionsOf = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The logical ids of the secrets the function may read. */
function secretsReadBy(fn: CoachFunction): string[] {
  return statementsOf(fn)
    .filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')))
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
    .map((r) => (r as { Ref?: string }).Ref ?? JSON.stringify(r))
    .sort();
}

describe('functions', () => {
  it('runs every function on Node.js 24, arm64, with active tracing and its own log group', () => {
    for (const [name, fn] of Object.entries(functionsByName())) {
      const p = props(fn.function);
      expect({ name, runtime: p.Runtime, arch: p.Architectures, tracing: p.TracingConfig }).toEqual({
        name,
        runtime: 'nodejs24.x',
        arch: ['arm64'],
        tracing: { Mode: 'Active' },
      });
      expect(p.LoggingConfig).toMatchObject({ LogGroup: { Ref: logicalId(fn.logGroup) }, LogFormat: 'JSON' });
      expect(props(fn.logGroup).RetentionInDays).toBe(30);
    }
  });

  it('gives the chat function 28 s (under API Gateway 29 s), the poller 60 s and the others 10 s', () => {
    const timeouts = Object.fromEntries(
      Object.entries(functionsByName()).map(([n, fn]) => [n, props(fn.function).Timeout]),
    );
    expect(timeouts).toEqual({
      chat: 28,
      runs: 10,
      threads: 10,
      context: 10,
      feedback: 10,
      openapi: 10,
      authorizer: 10,
      poller: 60,
    });
    expect(Number(envOf(stack.functions.chat).CHAT_SYNC_BUDGET_MS)).toBeLessThan(28_000 - 3_000);
  });

  it('bundles ESM with Powertools configured, never logging events', () => {
    for (const fn of Object.values(functionsByName())) {
      expect(props(fn.function).Handler).toBe('index.handler');
      // Source maps ship in the asset but Node does not load them: `--enable-source-maps`
      // cost every cold import the map's parse and the first error its decoding (bench:bundles).
      expect(envOf(fn)).not.toHaveProperty('NODE_OPTIONS');
      expect(envOf(fn)).toMatchObject({
        STAGE: 'dev',
        POWERTOOLS_SERVICE_NAME: 'mivia-coach-dev',
        POWERTOOLS_METRICS_NAMESPACE: 'MiVia/Coach',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        LOG_LEVEL: 'INFO',
      });
    }
  });

  it('hands the chat function its policy and the poller state machine, and only the chat function', () => {
    expect(envOf(stack.functions.chat)).toMatchObject({
      SUPABASE_URL: 'https://example.supabase.co',
      CHAT_SYNC_BUDGET_MS: '15000',
      OPENAI_ENABLED: 'true',
      FALLBACK_ENABLED: 'true',
      OPENAI_ROLLOUT_PERCENT: '100',
      OPENAI_TIMEOUT_MS: '15000',
      OPENAI_MAX_RETRIES: '2',
      DAILY_TOKEN_LIMIT_PER_USER: '200000',
      DAILY_COST_LIMIT_USD_PER_USER: '1',
      COACH_MODEL_OVERRIDES: '{}',
      POLLER_STATE_MACHINE_ARN: { Ref: logicalId(stack.poller.stateMachine) },
    });
    for (const [name, fn] of Object.entries(functionsByName())) {
      if (name !== 'chat') expect(envOf(fn)).not.toHaveProperty('POLLER_STATE_MACHINE_ARN');
    }
  });

  it('hands the model facts to every function that prices a reply or checks the profiles, and only those', () => {
    const withFacts = Object.entries(functionsByName())
      .filter(([, fn]) => envOf(fn).COACH_MODEL_FACTS === '{}')
      .map(([name]) => name);
    expect(withFacts.sort()).toEqual(['chat', 'context', 'poller', 'threads']);
  });

  it('configures the authorizer for Supabase tokens (JWKS by default, no JWT secret)', () => {
    expect(envOf(stack.functions.authorizer)).toMatchObject({
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: 'https://example.supabase.co/auth/v1/.well-known/jwks.json',
      AUTH_ISSUER: 'https://example.supabase.co/auth/v1',
      AUTH_AUDIENCE: 'authenticated',
    });
    expect(envOf(stack.functions.authorizer)).not.toHaveProperty('SUPABASE_JWT_SECRET_SECRET_ID');
  });

  it('puts no secret value in any environment: secrets are passed by id only', () => {
    const secretLike = /^(sk-|sk_|eyJ)|[A-Za-z0-9+/_-]{40,}/;
    for (const fn of Object.values(functionsByName())) {
      for (const [name, value] of Object.entries(envOf(fn))) {
        expect(name).not.toMatch(/^(OPENAI_API_KEY|SUPABASE_SERVICE_ROLE_KEY|SUPABASE_JWT_SECRET)$/);
        if (typeof value === 'string')
          expect({ name, value }).toEqual({ name, value: expect.not.stringMatching(secretLike) });
        if (name.endsWith('_SECRET_ID')) expect(value).toEqual({ Ref: expect.any(String) });
      }
    }
  });
});

describe('secrets', () => {
  it('creates the OpenAI and service-role secrets with a generated placeholder, kept when the stack is deleted', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const secret of [stack.secrets.openaiApiKey, stack.secrets.supabaseServiceRoleKey]) {
      const resource = resources[logicalId(secret.secret)]!;
      expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(resource.Properties.GenerateSecretString).toBeDefined();
      expect(resource.Properties).not.toHaveProperty('SecretString');
    }
    expect(stack.secrets.jwtSecret).toBeUndefined();
  });

  it('lets each function read exactly the secrets it needs', () => {
    const openai = logicalId(stack.secrets.openaiApiKey.secret);
    const serviceRole = logicalId(stack.secrets.supabaseServiceRoleKey.secret);
    const f = stack.functions;

    expect(secretsReadBy(f.chat)).toEqual([openai, serviceRole].sort());
    expect(secretsReadBy(f.poller)).toEqual([openai, serviceRole].sort());
    expect(secretsReadBy(f.threads)).toEqual([openai, serviceRole].sort());
    expect(secretsReadBy(f.runs)).toEqual([serviceRole]);
    expect(secretsReadBy(f.context)).toEqual([serviceRole]);
    expect(secretsReadBy(f.feedback)).toEqual([serviceRole]);
    expect(secretsReadBy(f.authorizer)).toEqual([]);
    expect(secretsReadBy(f.openapi)).toEqual([]);
  });

  it('grants no wildcard action and no wildcard resource on secrets', () => {
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap(
        (r) =>
          (
            r.Properties.PolicyDocument as {
              Statement: Array<{ Action: string | string[]; Resource: unknown }>;
            }
          ).Statement,
      );
    for (const s of statements) {
      const actions = actionsOf(s);
      expect(actions).not.toContain('*');
      expect(actions).not.toContain('secretsmanager:*');
      if (actions.some((a) => a.startsWith('secretsmanager:'))) {
        expect(actions.sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
        expect(s.Resource).not.toBe('*');
      }
    }
  });

  it('uses no AWS managed policy for the functions: each role writes only its own log group', () => {
    for (const fn of Object.values(functionsByName())) {
      expect(props(fn.function.role!).ManagedPolicyArns).toBeUndefined();
      const logs = statementsOf(fn).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
      expect(logs).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [logicalId(fn.logGroup), 'Arn'] },
        },
      ]);
    }
  });
});

describe('API', () => {
  const routes = [
    'POST /functions/v1/openai-chat-completion',
    'POST /functions/v1/openai-chat-completion/stream',
    'GET /functions/v1/openai-chat-completion/runs/{run_id}',
    'GET /functions/v1/openai-chat-completion/runs/{run_id}/stream',
    'POST /functions/v1/thread-manager',
    'POST /functions/v1/user-context-builder',
    'POST /functions/v1/chat-feedback',
    'GET /functions/v1/openapi.json',
    'POST /functions/v1/ai-data',
    'GET /functions/v1/ai-data/erasures/{erasure_id}',
  ];

  it('is a regional REST API with exactly the routes of the design', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    expect(Object.keys(stack.api.methods).sort()).toEqual([...routes].sort());
    template.resourceCountIs('AWS::ApiGateway::Method', routes.length);
  });

  it('streams the two stream routes from the streaming chat function, authorized, and no other route', () => {
    const streamed = [
      'POST /functions/v1/openai-chat-completion/stream',
      'GET /functions/v1/openai-chat-completion/runs/{run_id}/stream',
    ];
    const chatStreamArn = JSON.stringify({
      'Fn::GetAtt': [logicalId(stack.functions.chatStream.function), 'Arn'],
    });
    for (const [route, method] of Object.entries(stack.api.methods)) {
      const { Integration: integration, AuthorizationType: authorization } = props(method) as {
        Integration: { Type: string; ResponseTransferMode?: string; TimeoutInMillis?: number; Uri: unknown };
        AuthorizationType: string;
      };
      const uri = JSON.stringify(integration.Uri);
      if (streamed.includes(route)) {
        expect(integration).toMatchObject({
          Type: 'AWS_PROXY',
          ResponseTransferMode: 'STREAM',
          TimeoutInMillis: 90_000,
        });
        // Lambda's InvokeWithResponseStream, on the streaming function.
        expect(uri).toContain('/response-streaming-invocations');
        expect(uri).toContain(chatStreamArn.slice(1, -1));
        expect(authorization).toBe('CUSTOM');
      } else {
        expect(integration.ResponseTransferMode ?? 'BUFFERED').toBe('BUFFERED');
        expect(uri).not.toContain('response-streaming-invocations');
      }
    }
    const fn = props(stack.functions.chatStream.function);
    expect(fn.Timeout).toBe(90);
    expect(JSON.stringify(fn.Handler)).toContain('handler');
    // The same turn as the JSON route: its policy, the OpenAI key, and the poller for long replies.
    expect(envOf(stack.functions.chatStream)).toMatchObject({
      CHAT_SYNC_BUDGET_MS: envOf(stack.functions.chat).CHAT_SYNC_BUDGET_MS,
      POLLER_STATE_MACHINE_ARN: expect.anything(),
    });
    expect(secretsReadBy(stack.functions.chatStream)).toEqual(secretsReadBy(stack.functions.chat));
    expect(
      statementsOf(stack.functions.chatStream).some((s) => actionsOf(s).includes('states:StartExecution')),
    ).toBe(true);
  });

  it('requires the token authorizer on every route but the OpenAPI document', () => {
    const authorizer = logicalId(stack.api.authorizer);
    for (const [route, method] of Object.entries(stack.api.methods)) {
      const p = props(method);
      if (route === 'GET /functions/v1/openapi.json') {
        expect(p.AuthorizationType).toBe('NONE');
        expect(p).not.toHaveProperty('AuthorizerId');
      } else {
        expect({ route, type: p.AuthorizationType, id: p.AuthorizerId }).toEqual({
          route,
          type: 'CUSTOM',
          id: { Ref: authorizer },
        });
      }
    }
  });

  it('authorizes with a cached TOKEN authorizer on the Authorization header', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
      IdentityValidationExpression: Match.anyValue(),
    });
  });

  it('validates the POST bodies against JSON object models, the chat message bounded; the optional context body is left to the handler', () => {
    const validator = logicalId(stack.api.node.findChild('RequestValidator'));
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const [route, method] of Object.entries(stack.api.methods)) {
      const p = props(method);
      if (route === 'GET /functions/v1/openapi.json') continue;
      expect(p.RequestValidatorId).toEqual({ Ref: validator });
      if (!route.startsWith('POST')) continue;
      if (route === 'POST /functions/v1/user-context-builder') expect(p).not.toHaveProperty('RequestModels');
      else expect(p.RequestModels).toEqual({ 'application/json': { Ref: expect.any(String) } });
    }
    const chatModel =
      resources[
        (
          props(stack.api.methods['POST /functions/v1/openai-chat-completion']!).RequestModels as Record<
            string,
            { Ref: string }
          >
        )['application/json']!.Ref
      ]!;
    expect(chatModel.Properties.Schema).toMatchObject({
      type: 'object',
      required: ['message'],
      properties: { message: { type: 'string', minLength: 1, maxLength: 32 * 1024 } },
    });
  });

  it('throttles the stage, traces it, logs errors, and never logs bodies (data trace off)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
          MetricsEnabled: true,
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
        }),
      ],
    });
  });

  it('writes JSON access logs with who, what and how it went, and no body', () => {
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Stage')!;
    const setting = stage.Properties.AccessLogSetting as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(setting.Format) as Record<string, string>;
    expect(Object.keys(format).sort()).toEqual(
      [
        'requestId',
        'ip',
        'caller',
        'user',
        'requestTime',
        'httpMethod',
        'resourcePath',
        'status',
        'protocol',
        'responseLength',
        'integrationLatency',
        'errorMessage',
      ].sort(),
    );
    expect(format.user).toBe('$context.authorizer.principalId');
    expect(setting.Format).not.toMatch(/body|\$input|header/i);
  });

  it("answers gateway errors in the handlers' JSON shape with a stable code and the request id", () => {
    const responses = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse');
    const byType = Object.fromEntries(responses.map((r) => [r.Properties.ResponseType, r.Properties]));
    const body = (type: string) =>
      JSON.parse((byType[type]!.ResponseTemplates as Record<string, string>)['application/json']!) as Record<
        string,
        string
      >;

    expect(byType.UNAUTHORIZED!.StatusCode).toBe('401');
    expect(body('UNAUTHORIZED')).toEqual({
      error: expect.any(String),
      code: 'unauthorized',
      request_id: '$context.requestId',
    });
    expect(body('THROTTLED').code).toBe('rate_limited');
    expect(body('REQUEST_TOO_LARGE').code).toBe('payload_too_large');
    expect(body('BAD_REQUEST_BODY').code).toBe('invalid_request');
    expect(body('DEFAULT_5XX').code).toBe('internal_error');
    for (const r of responses) {
      const type = r.Properties.ResponseType as string;
      const retries = type === 'THROTTLED' || type === 'AUTHORIZER_FAILURE';
      expect({ type, keys: Object.keys(body(type)).sort() }).toEqual({
        type,
        keys: ['code', 'error', 'request_id', ...(retries ? ['retry_after_seconds'] : [])],
      });
      // The request id in a header too, as the handlers send it; Retry-After where the body has it.
      const headers = r.Properties.ResponseParameters as Record<string, string>;
      expect(headers['gatewayresponse.header.X-Request-Id']).toBe('context.requestId');
      expect({ type, retryAfter: 'gatewayresponse.header.Retry-After' in headers }).toEqual({
        type,
        retryAfter: retries,
      });
    }
    expect(body('THROTTLED').retry_after_seconds).toBe(1);
    expect(body('AUTHORIZER_FAILURE').retry_after_seconds).toBe(5);
  });

  it("outputs the app's functions base URL, ending in /functions/v1", () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(JSON.stringify(outputs.FunctionsBaseUrl!.Value)).toMatch(/functions\/v1"\]\]\}$/);
    expect(outputs).toHaveProperty('ApiUrl');
  });
});

describe('poller', () => {
  it('is a Standard state machine with a timeout above the poll budget, logging without execution data', () => {
    const p = props(stack.poller.stateMachine);
    expect(p.StateMachineType).toBe('STANDARD');
    expect(p.TracingConfiguration).toEqual({ Enabled: true });
    expect(p.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: 'ALL' });
    const definition = JSON.stringify(p.DefinitionString);
    expect(definition).toContain('\\"TimeoutSeconds\\":900');
  });

  it('deploys exactly the definition that pollerStateMachineDefinition() exports for local runs', () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:poll';
    const poller = logicalId(stack.functions.poller.function);
    const join = (props(stack.poller.stateMachine).DefinitionString as { 'Fn::Join': [string, unknown[]] })[
      'Fn::Join'
    ];
    const text = join[1]
      .map((part) =>
        typeof part === 'string'
          ? part
          : JSON.stringify(part) === JSON.stringify({ 'Fn::GetAtt': [poller, 'Arn'] })
            ? arn
            : '?',
      )
      .join(join[0]);

    expect(JSON.parse(text)).toEqual(pollerStateMachineDefinition({ pollerFunctionArn: arn }));
  });

  it('may only invoke the poll function (plus the tracing and log-delivery calls)', () => {
    const roleId = logicalId(stack.poller.stateMachine.role);
    const statements = Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(`"${roleId}"`),
      )
      .flatMap(
        (r) =>
          (
            r.Properties.PolicyDocument as {
              Statement: Array<{ Action: string | string[]; Resource: unknown }>;
            }
          ).Statement,
      );
    const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    const poller = logicalId(stack.functions.poller.function);
    expect(invoke).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [
          { 'Fn::GetAtt': [poller, 'Arn'] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [poller, 'Arn'] }, ':*']] },
        ],
      },
    ]);
    const others = statements.filter((s) => s !== invoke[0]).flatMap(actionsOf);
    expect(others.every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
  });

  it('lets the chat function, and no other, start executions', () => {
    const starters = Object.entries(functionsByName())
      .filter(([, fn]) => statementsOf(fn).some((s) => actionsOf(s).includes('states:StartExecution')))
      .map(([name]) => name);
    expect(starters).toEqual(['chat']);
  });
});

describe('monitoring', () => {
  const alarm = (name: keyof CoachStack['monitoring']['alarms']) => props(stack.monitoring.alarms[name]);

  it('alarms on average chat latency above 5 s for three five-minute periods', () => {
    expect(alarm('chatLatency')).toMatchObject({
      MetricName: 'ChatLatencyMs',
      Namespace: 'MiVia/Coach',
      Dimensions: [{ Name: 'service', Value: 'mivia-coach-dev' }],
      Statistic: 'Average',
      Period: 300,
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on error rate above 5% and fallback rate above 20% of chat requests', () => {
    for (const [name, threshold, numerator] of [
      ['errorRate', 5, 'ChatErrors'],
      ['fallbackRate', 20, 'ChatFallback'],
    ] as const) {
      const p = alarm(name);
      expect(p).toMatchObject({
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      const metrics = JSON.stringify(p.Metrics);
      expect(metrics).toContain(numerator);
      expect(metrics).toContain('ChatRequests');
      expect(metrics).toMatch(/100 \* FILL/);
    }
  });

  it('alarms when a day of OpenAI cost exceeds the budget', () => {
    expect(alarm('dailyCost')).toMatchObject({
      MetricName: 'CostUsd',
      Statistic: 'Sum',
      Period: 86400,
      Threshold: 25,
    });
  });

  it('alarms as soon as the global daily budget sends a turn to the simulated coach', () => {
    expect(alarm('globalBudget')).toMatchObject({
      MetricName: 'GlobalBudgetExceeded',
      Namespace: 'MiVia/Coach',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on every safety escalation, and on five screening failures in five minutes', () => {
    expect(alarm('safetyEscalations')).toMatchObject({
      MetricName: 'SafetyEscalations',
      Namespace: 'MiVia/Coach',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('moderationFailing')).toMatchObject({
      MetricName: 'ScreeningFailed',
      Namespace: 'MiVia/Coach',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on any failed or timed-out poller execution and on five API 5XX in five minutes', () => {
    expect(alarm('pollerFailed')).toMatchObject({
      MetricName: 'ExecutionsFailed',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('pollerTimedOut')).toMatchObject({
      MetricName: 'ExecutionsTimedOut',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('api5xx')).toMatchObject({
      MetricName: '5XXError',
      Threshold: 5,
      Period: 300,
      Statistic: 'Sum',
    });
  });

  it('sends every alarm to the encrypted, TLS-only alarm topic', () => {
    const topic = logicalId(stack.monitoring.alarmTopic);
    // The monitoring's ten, and the erasure runner's own (test/unit/infra/erasure-stack.test.ts).
    template.resourceCountIs('AWS::CloudWatch::Alarm', 11);
    for (const a of Object.values(stack.monitoring.alarms)) {
      expect(props(a).AlarmActions).toEqual([{ Ref: topic }]);
      expect(props(a).TreatMissingData).toBe('notBreaching');
    }
    expect(props(stack.monitoring.alarmTopic).KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('has one dashboard with latency against the 5 s line, rates, cost, long runs, API, functions and poller', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const body = JSON.stringify(props(stack.monitoring.dashboard).DashboardBody);
    for (const expected of [
      'ChatLatencyMs',
      'p50',
      'p90',
      'p99',
      '\\"value\\":5000',
      'ChatSuccess',
      'ChatFallback',
      'ChatErrors',
      'TokensUsed',
      'CostUsd',
      'LongRunStarted',
      'LongRunCompleted',
      'LongRunFailed',
      'LongRunTimedOut',
      '4XXError',
      '5XXError',
      'IntegrationLatency',
      'Throttles',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]) {
      expect(body).toContain(expected);
    }
  });

  it('saves the Logs Insights queries for the usual investigations', () => {
    const names = Object.values(resources)
      .filter((r) => r.Type === 'AWS::Logs::QueryDefinition')
      .map((r) => r.Properties.Name as string)
      .sort();
    expect(names).toEqual([
      'mivia-coach-dev/cost-by-model-per-day',
      'mivia-coach-dev/errors-by-code',
      'mivia-coach-dev/fallbacks-by-reason',
      'mivia-coach-dev/request-by-id',
      'mivia-coach-dev/slow-chats-over-5s',
    ]);
  });
});
