/**
 * `CoachMonitoring`: what on-call looks at. One dashboard (chat latency against the 5 s
 * target, outcome rates, tokens and cost, long runs, API, functions, poller), alarms that
 * notify an SNS topic, and saved Logs Insights queries for the usual investigations.
 *
 * The chat metrics are the handlers' EMF metrics: namespace `MiVia/Coach`, dimension
 * `service` = the Powertools service name.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, MetricName } from '../lambdas/shared/metric-names';
import { addSavedQueries } from './monitoring-queries';

/** The metric names the Lambdas emit (one source, so the dashboard cannot drift from the code). */
export const CoachMetric = MetricName;
export type CoachMetricName = MetricName;

/** The design's target: a chat reply within 5 s. */
export const CHAT_LATENCY_TARGET_MS = 5_000;
/** Alarm thresholds, in percent of chat requests. */
export const ERROR_RATE_THRESHOLD_PERCENT = 5;
export const FALLBACK_RATE_THRESHOLD_PERCENT = 20;
/** API 5XX responses in five minutes that page. */
export const API_5XX_THRESHOLD = 5;
/**
 * Screening failures (moderation down, slow or refusing) in five minutes that raise
 * ModerationFailingAlarm: one slow answer is noise, several mean messages go unscreened.
 */
export const SCREENING_FAILURES_THRESHOLD = 5;
/** Rates over fewer requests than this are not judged: one error in two requests is not an outage. */
export const MIN_REQUESTS_FOR_RATE = 5;

export interface MonitoredFunction {
  /** Shown on the dashboard. */
  readonly label: string;
  readonly function: lambda.IFunction;
  readonly logGroup: logs.ILogGroup;
}

export interface CoachMonitoringProps {
  /** The `service` dimension of the EMF metrics. */
  readonly serviceName: string;
  readonly api: apigw.RestApi;
  readonly accessLogGroup: logs.ILogGroup;
  /** The function that emits the chat metrics (its log group holds the EMF records). */
  readonly chat: MonitoredFunction;
  /** The streamed chat route's function: the same metrics and log lines as the chat's. */
  readonly chatStream: MonitoredFunction;
  readonly functions: readonly MonitoredFunction[];
  readonly poller: sfn.IStateMachine;
  readonly dailyCostBudgetUsd: number;
  /** Subscribed to the alarm topic when given (the address must confirm the subscription). */
  readonly alarmEmail?: string;
}

export class CoachMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cw.Dashboard;
  /** The alarms by what they watch (also the AppConfig rollback monitors). */
  readonly alarms: {
    readonly chatLatency: cw.Alarm;
    readonly errorRate: cw.Alarm;
    readonly fallbackRate: cw.Alarm;
    readonly dailyCost: cw.Alarm;
    readonly globalBudget: cw.Alarm;
    readonly pollerFailed: cw.Alarm;
    readonly pollerTimedOut: cw.Alarm;
    readonly safetyEscalations: cw.Alarm;
    readonly moderationFailing: cw.Alarm;
    readonly api5xx: cw.Alarm;
  };

  constructor(scope: Construct, id: string, props: CoachMonitoringProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const oneDay = Duration.days(1);

    // CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key (its key
    // policy cannot name cloudwatch.amazonaws.com), so the topic gets its own key.
    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the MiVia coach alarm topic; usable by CloudWatch alarms',
      enableKeyRotation: true,
    });
    topicKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'MiVia coach alarms',
      enforceSSL: true,
      masterKey: topicKey,
    });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subs.EmailSubscription(props.alarmEmail));

    const metric = (
      name: CoachMetricName,
      statistic: string,
      period: Duration = fiveMinutes,
      label?: string,
    ) =>
      new cw.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: props.serviceName },
        statistic,
        period,
        label,
      });
    // Each numerator gets its own id so that the three rates can share one graph.
    const rate = (numerator: CoachMetricName, label: string) => {
      const id = numerator.charAt(0).toLowerCase() + numerator.slice(1);
      return new cw.MathExpression({
        expression: `IF(requests >= ${MIN_REQUESTS_FOR_RATE}, 100 * FILL(${id}, 0) / requests, 0)`,
        usingMetrics: { [id]: metric(numerator, 'Sum'), requests: metric(CoachMetric.ChatRequests, 'Sum') },
        period: fiveMinutes,
        label,
      });
    };

    const latencyAverage = metric(CoachMetric.ChatLatencyMs, 'Average', fiveMinutes);
    const errorRate = rate(CoachMetric.ChatErrors, 'error rate %');
    const fallbackRate = rate(CoachMetric.ChatFallback, 'fallback rate %');
    const successRate = rate(CoachMetric.ChatSuccess, 'success rate %');
    const costPerDay = metric(CoachMetric.CostUsd, 'Sum', oneDay);

    const alarm = (
      id: string,
      description: string,
      options: Omit<cw.CreateAlarmOptions, 'alarmDescription'>,
      m: cw.IMetric,
    ) => {
      const a = new cw.Alarm(this, id, {
        metric: m,
        alarmDescription: description,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      a.addOkAction(new cwActions.SnsAction(this.alarmTopic));
      return a;
    };
    const above = cw.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const atLeast = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;

    this.alarms = {
      chatLatency: alarm(
        'ChatLatencyAlarm',
        `Average chat response time above ${CHAT_LATENCY_TARGET_MS} ms for 15 minutes`,
        {
          threshold: CHAT_LATENCY_TARGET_MS,
          comparisonOperator: above,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
        },
        latencyAverage,
      ),
      errorRate: alarm(
        'ChatErrorRateAlarm',
        `More than ${ERROR_RATE_THRESHOLD_PERCENT}% of chat requests failed (2 of 3 five-minute periods)`,
        {
          threshold: ERROR_RATE_THRESHOLD_PERCENT,
          comparisonOperator: above,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
        errorRate,
      ),
      fallbackRate: alarm(
        'ChatFallbackRateAlarm',
        `More than ${FALLBACK_RATE_THRESHOLD_PERCENT}% of chat replies came from the simulated fallback (2 of 3 five-minute periods)`,
        {
          threshold: FALLBACK_RATE_THRESHOLD_PERCENT,
          comparisonOperator: above,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
        },
        fallbackRate,
      ),
      dailyCost: alarm(
        'DailyCostAlarm',
        `OpenAI spend over the last day above the budget of ${props.dailyCostBudgetUsd} USD`,
        { threshold: props.dailyCostBudgetUsd, comparisonOperator: above, evaluationPeriods: 1 },
        costPerDay,
      ),
      // The chat's own stop (the flag global_daily_cost_budget_usd, checked by every claim): once
      // it is spent every reply is simulated until midnight UTC; this fires on the first such turn.
      globalBudget: alarm(
        'GlobalBudgetAlarm',
        'The global daily OpenAI budget is spent: every reply comes from the simulated coach until midnight UTC',
        { threshold: 1, comparisonOperator: atLeast, evaluationPeriods: 1 },
        metric(CoachMetric.GlobalBudgetExceeded, 'Sum'),
      ),
      pollerFailed: alarm(
        'PollerFailedAlarm',
        'A long-run poller execution failed (the run was marked failed)',
        { threshold: 1, comparisonOperator: atLeast, evaluationPeriods: 1 },
        props.poller.metricFailed({ period: fiveMinutes, statistic: 'Sum' }),
      ),
      pollerTimedOut: alarm(
        'PollerTimedOutAlarm',
        'A long-run poller execution hit the state machine timeout',
        { threshold: 1, comparisonOperator: atLeast, evaluationPeriods: 1 },
        props.poller.metricTimedOut({ period: fiveMinutes, statistic: 'Sum' }),
      ),
      // Every crisis reply and replaced coach reply (docs/safety.md): someone on call looks at
      // the counts (never the text) and at anything unusual, such as a sudden rise.
      safetyEscalations: alarm(
        'SafetyEscalationsAlarm',
        'The screening answered instead of the coach (a crisis reply, or a coach reply replaced) in the last five minutes',
        { threshold: 1, comparisonOperator: atLeast, evaluationPeriods: 1 },
        metric(CoachMetric.SafetyEscalations, 'Sum'),
      ),
      moderationFailing: alarm(
        'ModerationFailingAlarm',
        `${SCREENING_FAILURES_THRESHOLD} or more screenings failed in five minutes: messages and replies go unscreened (fail open)`,
        { threshold: SCREENING_FAILURES_THRESHOLD, comparisonOperator: atLeast, evaluationPeriods: 1 },
        metric(CoachMetric.ScreeningFailed, 'Sum'),
      ),
      api5xx: alarm(
        'Api5xxAlarm',
        `${API_5XX_THRESHOLD} or more API 5XX responses in five minutes`,
        { threshold: API_5XX_THRESHOLD, comparisonOperator: atLeast, evaluationPeriods: 1 },
        props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
      ),
    };

    const perFunction = (m: (fn: lambda.IFunction) => cw.Metric) =>
      props.functions.map((f) => m(f.function).with({ label: f.label }));
    const width = 8;

    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(24),
      widgets: [
        [
          new cw.TextWidget({
            markdown:
              `# MiVia coach (${props.serviceName})\n` +
              `Chat target: replies within ${CHAT_LATENCY_TARGET_MS / 1000} s. ` +
              'API throttling shows as 429s inside the 4XX line (REST APIs publish no separate throttle metric).',
            width: 24,
            height: 2,
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'Chat response time (ms)',
            width,
            left: [
              metric(CoachMetric.ChatLatencyMs, 'p50', fiveMinutes, 'p50'),
              metric(CoachMetric.ChatLatencyMs, 'p90', fiveMinutes, 'p90'),
              metric(CoachMetric.ChatLatencyMs, 'p99', fiveMinutes, 'p99'),
              latencyAverage.with({ label: 'average' }),
            ],
            leftAnnotations: [{ value: CHAT_LATENCY_TARGET_MS, label: '5 s target', color: cw.Color.RED }],
          }),
          new cw.GraphWidget({
            title: 'Chat outcomes (% of requests)',
            width,
            left: [successRate, fallbackRate, errorRate],
            leftYAxis: { min: 0, max: 100 },
            leftAnnotations: [
              { value: ERROR_RATE_THRESHOLD_PERCENT, label: 'error alarm', color: cw.Color.RED },
              { value: FALLBACK_RATE_THRESHOLD_PERCENT, label: 'fallback alarm', color: cw.Color.ORANGE },
            ],
          }),
          new cw.GraphWidget({
            title: 'Chat requests',
            width,
            left: [
              metric(CoachMetric.ChatRequests, 'Sum', fiveMinutes, 'requests'),
              metric(CoachMetric.ChatErrors, 'Sum', fiveMinutes, 'errors'),
              metric(CoachMetric.ChatFallback, 'Sum', fiveMinutes, 'fallbacks'),
              metric(CoachMetric.UnknownChatType, 'Sum', fiveMinutes, 'unknown chat type'),
              metric(CoachMetric.ChatLimited, 'Sum', fiveMinutes, 'refused by a per-user limit (429)'),
              metric(CoachMetric.GlobalBudgetExceeded, 'Sum', fiveMinutes, 'simulated: global budget spent'),
              metric(CoachMetric.OpenAIRetries, 'Sum', fiveMinutes, 'OpenAI retries'),
              metric(CoachMetric.SafetyEscalations, 'Sum', fiveMinutes, 'safety: crisis or replaced reply'),
              metric(CoachMetric.ScreeningFailed, 'Sum', fiveMinutes, 'screening failed (unscreened)'),
              metric(CoachMetric.ScreeningSkipped, 'Sum', fiveMinutes, 'screening off'),
              metric(CoachMetric.ServerErrors, 'Sum', fiveMinutes, '5xx answered by handlers'),
            ],
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'Tokens per day',
            width,
            period: oneDay,
            view: cw.GraphWidgetView.BAR,
            left: [metric(CoachMetric.TokensUsed, 'Sum', oneDay, 'tokens')],
          }),
          new cw.GraphWidget({
            title: 'OpenAI cost per day (USD)',
            width,
            period: oneDay,
            view: cw.GraphWidgetView.BAR,
            left: [costPerDay.with({ label: 'cost (USD)' })],
            leftAnnotations: [
              { value: props.dailyCostBudgetUsd, label: 'daily budget', color: cw.Color.RED },
            ],
          }),
          new cw.GraphWidget({
            title: 'Long runs by outcome',
            width,
            stacked: true,
            left: [
              metric(CoachMetric.LongRunStarted, 'Sum', fiveMinutes, 'started'),
              metric(CoachMetric.LongRunCompleted, 'Sum', fiveMinutes, 'completed'),
              metric(CoachMetric.LongRunFailed, 'Sum', fiveMinutes, 'failed'),
              metric(CoachMetric.LongRunTimedOut, 'Sum', fiveMinutes, 'timed out'),
            ],
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'API requests and errors (4XX includes 429 throttles)',
            width,
            left: [
              props.api.metricCount({ period: fiveMinutes, statistic: 'Sum', label: 'requests' }),
              props.api.metricClientError({ period: fiveMinutes, statistic: 'Sum', label: '4XX' }),
              props.api.metricServerError({ period: fiveMinutes, statistic: 'Sum', label: '5XX' }),
            ],
          }),
          new cw.GraphWidget({
            title: 'API latency (ms)',
            width,
            left: [
              props.api.metricLatency({ period: fiveMinutes, statistic: 'p50', label: 'latency p50' }),
              props.api.metricLatency({ period: fiveMinutes, statistic: 'p90', label: 'latency p90' }),
              props.api.metricIntegrationLatency({
                period: fiveMinutes,
                statistic: 'p90',
                label: 'integration p90',
              }),
            ],
            leftAnnotations: [{ value: CHAT_LATENCY_TARGET_MS, label: '5 s', color: cw.Color.RED }],
          }),
          new cw.GraphWidget({
            title: 'Poller executions',
            width,
            left: [
              props.poller.metricStarted({ period: fiveMinutes, statistic: 'Sum', label: 'started' }),
              props.poller.metricSucceeded({ period: fiveMinutes, statistic: 'Sum', label: 'succeeded' }),
              props.poller.metricFailed({ period: fiveMinutes, statistic: 'Sum', label: 'failed' }),
              props.poller.metricTimedOut({ period: fiveMinutes, statistic: 'Sum', label: 'timed out' }),
            ],
          }),
        ],
        [
          new cw.GraphWidget({
            title: 'Lambda errors',
            width,
            left: perFunction((fn) => fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' })),
          }),
          new cw.GraphWidget({
            title: 'Lambda duration p90 (ms)',
            width,
            left: perFunction((fn) => fn.metricDuration({ period: fiveMinutes, statistic: 'p90' })),
          }),
          new cw.GraphWidget({
            title: 'Lambda throttles',
            width,
            left: perFunction((fn) => fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })),
          }),
        ],
        [
          new cw.AlarmStatusWidget({
            title: 'Alarms',
            width: 24,
            alarms: Object.values(this.alarms),
          }),
        ],
      ],
    });

    addSavedQueries(this, props, CHAT_LATENCY_TARGET_MS);
  }
}
