/**
 * What AWS charges per 1,000 messages (OpenAI excluded), from the template's memory sizes,
 * the durations and bytes the benchmark measured, and the published us-east-1 prices below.
 * Each price names its page and the date it was looked up; `confirmed` says whether the
 * figure was read on AWS's own pages (the stored copies searched on that date) or only in
 * third-party summaries of them. Free tiers are left out: the figure is the marginal cost.
 */

export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
  readonly checked: string;
  readonly confirmed: string;
}

const CHECKED = '2026-12-01';

export const PRICES = {
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 'GB-second of Lambda arm64 duration (first 7.5 billion GB-s a month)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: CHECKED,
    confirmed:
      "not on AWS's page (its stored copy shows no figures); the same figure in cloudchipr.com's 2024 guide and in a Lambda cost note",
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    per: 'Lambda request',
    source: 'https://aws.amazon.com/lambda/pricing/',
    checked: CHECKED,
    confirmed: "not on AWS's page; $0.20 per million in the same third-party summaries",
  },
  apiGatewayRestRequest: {
    usd: 3.5 / 1_000_000,
    per: 'API Gateway REST API call (first 333 million a month)',
    source:
      'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    checked: CHECKED,
    confirmed: "AWS's own whitepaper (table 4); the pricing page's stored copy shows no figures",
  },
  stepFunctionsTransition: {
    usd: 0.025 / 1000,
    per: 'Step Functions Standard state transition (retries included)',
    source: 'https://aws.amazon.com/step-functions/pricing/',
    checked: CHECKED,
    confirmed: "AWS's pricing page, us-east-1 row ($0.0250 per 1,000)",
  },
  secretsManagerCall: {
    usd: 0.05 / 10_000,
    per: 'Secrets Manager API call (GetSecretValue)',
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
    checked: CHECKED,
    confirmed: "not on AWS's page (no stored copy found); $0.05 per 10,000 calls in third-party summaries",
  },
  cloudWatchLogsIngestGb: {
    usd: 0.5,
    per: 'GB of CloudWatch Logs ingested, Standard class (Lambda logs: the first tier)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    checked: CHECKED,
    confirmed:
      "not on AWS's page (its stored copy hides the paid-tier table); $0.50 in c3x.dev (June 2026) and the Duckbill Group's note on Lambda's tiered log pricing",
  },
  cloudWatchLogsStoreGbMonth: {
    usd: 0.03,
    per: 'GB-month of CloudWatch Logs storage',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    checked: CHECKED,
    confirmed: "not on AWS's page; $0.03 in the same third-party summaries",
  },
} as const satisfies Record<string, Price>;

/**
 * Figures that are estimates, not measurements: what Lambda and API Gateway add to the logs
 * per request, and how often a container re-reads its secrets.
 */
export const ASSUMPTIONS = {
  /** Lambda's own JSON log lines per invocation (platform.start, platform.report with X-Ray). */
  lambdaPlatformLogBytes: 600,
  /** One API Gateway access log line (lib/api.ts's format, 16 fields). */
  accessLogBytes: 450,
  /** Each Step Functions execution event logged (level ALL, no data). */
  stepFunctionsLogBytesPerTransition: 350,
  /** Logs are kept a month (the stack's retention): storage is ingestion × one month. */
  logRetentionMonths: 1,
  /** Authorizer invocations per message: 1 assumes no hit in its 300 s result cache (the worst case). */
  authorizerCallsPerMessage: 1,
  /** Secrets a chat container reads, each once per 5-minute cache window. */
  chatSecrets: 2,
} as const;

export interface CostInputs {
  readonly chatMemoryMb: number;
  readonly authorizerMemoryMb: number;
  readonly pollerMemoryMb: number;
  readonly runsMemoryMb: number;
  /** Mean billed duration of a chat invocation (its end-to-end time here), ms. */
  readonly chatMs: number;
  readonly authorizerMs: number;
  /** Bytes the handlers logged per message (JSON logs and EMF metrics), measured. */
  readonly handlerLogBytesPerMessage: number;
  /** Messages one warm chat container answers per 5 minutes (secrets re-read once per window). */
  readonly messagesPerContainerWindow: number;
  /** Share of messages answered 202 and polled, measured in the sync runs (0..1). */
  readonly longRunShare: number;
  /** A long run as measured: poll steps, mean step duration, and the app's status polls. */
  readonly longRun: {
    readonly pollSteps: number;
    readonly pollStepMs: number;
    readonly appPolls: number;
    readonly runsMs: number;
  };
}

export interface CostLine {
  readonly item: string;
  /** USD per 1,000 messages. */
  readonly per1000: number;
}

export interface CostBreakdown {
  readonly lines: readonly CostLine[];
  /** USD per 1,000 messages answered within the sync budget. */
  readonly syncPer1000: number;
  /** USD a long run adds, per 1,000 long runs. */
  readonly longRunPer1000: number;
  /** USD per 1,000 messages at the measured share of long runs. */
  readonly totalPer1000: number;
}

/** Lambda bills duration rounded up to the millisecond. */
const gbSeconds = (memoryMb: number, ms: number) => (memoryMb / 1024) * (Math.ceil(ms) / 1000);
const logUsd = (bytes: number) =>
  (bytes / 1e9) *
  (PRICES.cloudWatchLogsIngestGb.usd +
    PRICES.cloudWatchLogsStoreGbMonth.usd * ASSUMPTIONS.logRetentionMonths);

export function awsCost(input: CostInputs): CostBreakdown {
  const a = ASSUMPTIONS;
  const p = PRICES;
  const authorizers = a.authorizerCallsPerMessage;
  const sync: CostLine[] = [
    { item: 'API Gateway REST (1 call)', per1000: 1000 * p.apiGatewayRestRequest.usd },
    {
      item: `Lambda chat (${input.chatMemoryMb} MB × ${Math.round(input.chatMs)} ms)`,
      per1000:
        1000 * (gbSeconds(input.chatMemoryMb, input.chatMs) * p.lambdaArmGbSecond.usd + p.lambdaRequest.usd),
    },
    {
      item: `Lambda authorizer (${authorizers} × ${input.authorizerMemoryMb} MB × ${input.authorizerMs.toFixed(1)} ms)`,
      per1000:
        1000 *
        authorizers *
        (gbSeconds(input.authorizerMemoryMb, input.authorizerMs) * p.lambdaArmGbSecond.usd +
          p.lambdaRequest.usd),
    },
    {
      item: `Secrets Manager (${a.chatSecrets} reads per ${input.messagesPerContainerWindow} messages)`,
      per1000: 1000 * (a.chatSecrets / input.messagesPerContainerWindow) * p.secretsManagerCall.usd,
    },
    {
      item: `CloudWatch Logs and EMF metrics (${Math.round(input.handlerLogBytesPerMessage)} B logged + platform and access lines)`,
      per1000:
        1000 *
        logUsd(
          input.handlerLogBytesPerMessage + (1 + authorizers) * a.lambdaPlatformLogBytes + a.accessLogBytes,
        ),
    },
  ];
  const syncPer1000 = sync.reduce((sum, line) => sum + line.per1000, 0);

  const run = input.longRun;
  const transitions = 3 * run.pollSteps;
  const longRunPer1000 =
    1000 *
    (transitions * p.stepFunctionsTransition.usd +
      run.pollSteps *
        (gbSeconds(input.pollerMemoryMb, run.pollStepMs) * p.lambdaArmGbSecond.usd + p.lambdaRequest.usd) +
      run.appPolls *
        (p.apiGatewayRestRequest.usd +
          gbSeconds(input.runsMemoryMb, run.runsMs) * p.lambdaArmGbSecond.usd +
          p.lambdaRequest.usd) +
      logUsd(
        transitions * a.stepFunctionsLogBytesPerTransition +
          (run.pollSteps + run.appPolls) * (a.lambdaPlatformLogBytes + a.accessLogBytes),
      ));
  const lines = [
    ...sync,
    {
      item: `long runs (${(input.longRunShare * 100).toFixed(1)} % of messages × $${longRunPer1000.toFixed(4)} per 1,000)`,
      per1000: input.longRunShare * longRunPer1000,
    },
  ];
  return {
    lines,
    syncPer1000,
    longRunPer1000,
    totalPer1000: syncPer1000 + input.longRunShare * longRunPer1000,
  };
}
