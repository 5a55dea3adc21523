/**
 * The Lambda functions. `CoachFunction` is the one place for Lambda defaults (runtime,
 * architecture, bundling, logs, tracing, Powertools); `CoachFunctions` declares the
 * handlers, their timeouts, their environment and which secrets each may read.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS } from '../lambdas/shared/contract/routes';
import { METRICS_NAMESPACE } from '../lambdas/shared/metric-names';
import type { DeployConfig } from './config';
import type { CoachSecrets } from './secrets';

/** The repository root: entries, the lock file and tsconfig.json are found from here. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundled code is ESM; some bundled dependencies are CommonJS and call `require` for Node
 * built-ins, which ESM does not define. The shim gives them one.
 */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** What every function shares: who it belongs to and how long its logs live. */
export interface CoachFunctionDefaults {
  readonly stage: string;
  /** Powertools service name: the `service` dimension of every metric and a field of every log line. */
  readonly serviceName: string;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly logRetention: logs.RetentionDays;
}

export interface CoachFunctionProps {
  readonly defaults: CoachFunctionDefaults;
  /** The handler file, relative to the repository root; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Function-specific variables, merged over the shared ones. Never secret values: only secret ids. */
  readonly environment?: Readonly<Record<string, string>>;
  /** @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
}

/** A Node.js 24 arm64 function bundled on this machine with esbuild, with its own log group. */
export class CoachFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: CoachFunctionProps) {
    super(scope, id);
    const { defaults } = props;

    // An explicit log group (not the implicit /aws/lambda/<name>) so its retention is ours.
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: defaults.logRetention });

    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group
    // and nowhere else. Grants for secrets, the poller and AppConfig are added by their owners.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
    });
    this.logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // X-Ray without an SDK in the code: Lambda records each invocation and its cold start,
      // linked to API Gateway and Step Functions (why no tracer: lambdas/shared/observability.ts).
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // No application log-level filter here: Powertools filters by POWERTOOLS_LOG_LEVEL, and
      // Lambda's filter would drop the EMF metric lines (they carry no `level`) at WARN/ERROR.
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      // What each bundle weighs and how fast it starts: `npm run bench:bundles`.
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        // The map ships next to the code, so a stack trace from the logs can be read against
        // the exact build that ran (docs/operations.md), but Node does not load it: with
        // `--enable-source-maps` the first error of every container decoded the whole map
        // (35-90 ms for these bundles, and the map's size in memory) and every cold import
        // parsed it. Logged errors name their cause chain and codes without it.
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        logLevel: LogLevel.WARNING,
        banner: ESM_REQUIRE_SHIM,
        // The AWS SDK v3 clients (Secrets Manager, AppConfig Data, Step Functions) are the
        // Lambda runtime's, not bundled: bundled, Secrets Manager's alone weighs about 300 kB
        // minified, more than a whole data function, and imports no faster (about 70 ms
        // against 60 ms here); the runtime's copy is kept patched by AWS, and the calls we make
        // (GetSecretValue, the AppConfig session, StartExecution) are stable. Step Functions'
        // is loaded at a chat's first long run only (lambdas/shared/runtime/poller.ts).
        // Everything else (openai, postgrest-js, middy, Powertools, zod) is bundled, so the
        // deployed code is exactly what was tested.
        externalModules: ['@aws-sdk/*'],
      },
      environment: {
        STAGE: defaults.stage,
        POWERTOOLS_SERVICE_NAME: defaults.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Events carry user messages and tokens: never log them.
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_LOG_LEVEL: defaults.logLevel,
        LOG_LEVEL: defaults.logLevel,
        ...props.environment,
      },
    });

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions, so CDK grants them on "*". Every other statement of this role names its resource.',
    });
  }
}

export interface CoachFunctionsProps {
  readonly config: DeployConfig;
  readonly defaults: CoachFunctionDefaults;
  readonly secrets: CoachSecrets;
}

/**
 * Every handler of the service. Each data function gets the Supabase settings and reads the
 * service-role key; only the functions that call OpenAI (chat, poller, threads, and ai-data and
 * erasure, which delete a user's data there) read its key;
 * only the authorizer reads the JWT secret; the OpenAPI document reads nothing.
 */
export class CoachFunctions extends Construct {
  /** POST /functions/v1/openai-chat-completion */
  readonly chat: CoachFunction;
  /** POST /functions/v1/openai-chat-completion/stream and GET …/runs/{run_id}/stream (streamed) */
  readonly chatStream: CoachFunction;
  /** GET /functions/v1/openai-chat-completion/runs/{run_id} */
  readonly runs: CoachFunction;
  /** POST /functions/v1/thread-manager */
  readonly threads: CoachFunction;
  /** POST /functions/v1/user-context-builder */
  readonly context: CoachFunction;
  /** POST /functions/v1/chat-feedback */
  readonly feedback: CoachFunction;
  /** GET /functions/v1/openapi.json */
  readonly openapi: CoachFunction;
  /** The API's TOKEN authorizer */
  readonly authorizer: CoachFunction;
  /** The Step Functions poll task */
  readonly poller: CoachFunction;
  /** POST /functions/v1/ai-data and GET /functions/v1/ai-data/erasures/{erasure_id} */
  readonly aiData: CoachFunction;
  /** The erasure state machine's task */
  readonly erasure: CoachFunction;

  constructor(scope: Construct, id: string, props: CoachFunctionsProps) {
    super(scope, id);
    const { config, defaults, secrets } = props;

    const database = {
      SUPABASE_URL: config.supabaseUrl,
      SUPABASE_SERVICE_ROLE_KEY_SECRET_ID: secrets.supabaseServiceRoleKey.secretId,
    };
    const openai = {
      OPENAI_API_KEY_SECRET_ID: secrets.openaiApiKey.secretId,
      OPENAI_TIMEOUT_MS: String(config.openaiTimeoutMs),
      OPENAI_MAX_RETRIES: String(config.openaiMaxRetries),
    };
    // The chat policy: kill switch, fallback, rollout, budgets, models and their facts. Non-secret.
    const policy = {
      CHAT_SYNC_BUDGET_MS: String(config.syncBudgetMs),
      OPENAI_ENABLED: String(config.openaiEnabled),
      FALLBACK_ENABLED: String(config.fallbackEnabled),
      OPENAI_ROLLOUT_PERCENT: String(config.rolloutPercent),
      DAILY_TOKEN_LIMIT_PER_USER: String(config.dailyTokenLimitPerUser),
      DAILY_COST_LIMIT_USD_PER_USER: String(config.dailyCostLimitUsdPerUser),
      COACH_MODEL_OVERRIDES: JSON.stringify(config.modelOverrides),
      // Prices and efforts change without a code change: a configuration-only deployment.
      COACH_MODEL_FACTS: JSON.stringify(config.modelFacts),
    };
    const seconds = (s: number) => Duration.seconds(s);

    // What both chat routes' functions share: a stream is the same turn, paid the same way, so
    // it draws on the same reserved pool, with the same settings. 512 MB like the others: they
    // wait on OpenAI for most of their billed time (docs/performance.md: at 1024 MB the chat was
    // 80 % of the AWS cost).
    const chatTurn = {
      defaults,
      reservedConcurrentExecutions:
        config.chatReservedConcurrency > 0 ? config.chatReservedConcurrency : undefined,
      environment: { ...database, ...openai, ...policy },
    };
    this.chat = new CoachFunction(this, 'Chat', {
      ...chatTurn,
      entry: 'lambdas/chat/handler.ts',
      description: 'POST /functions/v1/openai-chat-completion: the coach reply (200) or a long run (202)',
      // Below API Gateway's 29 s integration limit; the sync budget ends well before this.
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.chat),
    });
    this.chatStream = new CoachFunction(this, 'ChatStream', {
      ...chatTurn,
      entry: 'lambdas/chat/stream-handler.ts',
      description:
        'POST /functions/v1/openai-chat-completion/stream and GET …/runs/{run_id}/stream: the reply as server-sent events',
      // Lambda's response streaming behind API Gateway's STREAM integration (lib/api.ts).
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.chatStream),
    });
    this.runs = new CoachFunction(this, 'Runs', {
      defaults,
      entry: 'lambdas/runs/handler.ts',
      description: 'GET /functions/v1/openai-chat-completion/runs/{run_id}: the state of a long run',
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.runs),
      environment: { ...database },
    });
    this.threads = new CoachFunction(this, 'Threads', {
      defaults,
      entry: 'lambdas/threads/handler.ts',
      description: "POST /functions/v1/thread-manager: the user's coach threads",
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.threads),
      environment: { ...database, ...openai, ...policy },
    });
    this.context = new CoachFunction(this, 'Context', {
      defaults,
      entry: 'lambdas/context/handler.ts',
      description: 'POST /functions/v1/user-context-builder: the context the coach sees',
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.context),
      environment: { ...database, ...policy },
    });
    this.feedback = new CoachFunction(this, 'Feedback', {
      defaults,
      entry: 'lambdas/feedback/handler.ts',
      description: 'POST /functions/v1/chat-feedback: thumbs up/down on an AI message',
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.feedback),
      environment: { ...database },
    });
    this.openapi = new CoachFunction(this, 'OpenApi', {
      defaults,
      entry: 'lambdas/openapi/handler.ts',
      description: 'GET /functions/v1/openapi.json: the API contract (public)',
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.openapi),
    });
    this.authorizer = new CoachFunction(this, 'Authorizer', {
      defaults,
      entry: 'lambdas/authorizer/handler.ts',
      description: 'API Gateway TOKEN authorizer: verifies the Supabase access token',
      timeout: seconds(10),
      environment: {
        SUPABASE_URL: config.supabaseUrl,
        AUTH_MODE: config.authMode,
        AUTH_JWKS_URL: config.jwksUrl,
        AUTH_ISSUER: config.issuer,
        AUTH_AUDIENCE: config.audience,
        ...(secrets.jwtSecret ? { SUPABASE_JWT_SECRET_SECRET_ID: secrets.jwtSecret.secretId } : {}),
      },
    });
    this.poller = new CoachFunction(this, 'Poller', {
      defaults,
      entry: 'lambdas/poller/handler.ts',
      description: 'Step Functions task: polls a long OpenAI response and records the outcome',
      timeout: seconds(60),
      environment: { ...database, ...openai, ...policy },
    });

    this.aiData = new CoachFunction(this, 'AiData', {
      defaults,
      entry: 'lambdas/ai-data/handler.ts',
      description:
        "POST /functions/v1/ai-data and GET …/erasures/{erasure_id}: export or erase a user's AI data",
      timeout: seconds(FUNCTION_TIMEOUT_SECONDS.aiData),
      environment: { ...database, ...openai },
    });
    this.erasure = new CoachFunction(this, 'Erasure', {
      defaults,
      entry: 'lambdas/ai-data/erasure-handler.ts',
      description: "Step Functions task: erases a user's AI data at OpenAI, one bounded batch at a time",
      // A step deletes for 30 s; the rest is room for the calls in flight to finish and be recorded.
      timeout: seconds(120),
      environment: { ...database, ...openai },
    });

    for (const fn of this.databaseFunctions) secrets.supabaseServiceRoleKey.grantRead(fn.function);
    for (const fn of [this.chat, this.chatStream, this.poller, this.threads, this.aiData, this.erasure])
      secrets.openaiApiKey.grantRead(fn.function);
    secrets.jwtSecret?.grantRead(this.authorizer.function);
  }

  /** The functions that talk to Supabase with the service-role key. */
  get databaseFunctions(): readonly CoachFunction[] {
    return [
      this.chat,
      this.chatStream,
      this.runs,
      this.threads,
      this.context,
      this.feedback,
      this.poller,
      this.aiData,
      this.erasure,
    ];
  }

  /** Every function, for dashboards and alarms. */
  get all(): readonly CoachFunction[] {
    return [
      this.chat,
      this.chatStream,
      this.runs,
      this.threads,
      this.context,
      this.feedback,
      this.openapi,
      this.authorizer,
      this.poller,
      this.aiData,
      this.erasure,
    ];
  }
}
