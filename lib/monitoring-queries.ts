/** The saved Logs Insights queries of `CoachMonitoring` (lib/monitoring.ts). */
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { CoachMonitoringProps } from './monitoring';

/**
 * Saved Logs Insights queries. Field names: Powertools logger fields (`level`, `message`,
 * `service`, `function_request_id`), the keys the HTTP middleware adds (`route`,
 * `request_id`, `status`, `code`), `fallback_reason` and `model` where the chat logs them,
 * and EMF records (each metric is a top-level field of its log line).
 */
export function addSavedQueries(
  scope: Construct,
  props: CoachMonitoringProps,
  /** What counts as a slow chat (the chat's latency target). */
  slowChatMs: number,
): void {
  const functionLogs = props.functions.map((f) => f.logGroup);
  // Both chat routes log the same lines: the streamed turn's are in its own function's group.
  const chatLogs = [props.chat.logGroup, props.chatStream.logGroup];
  const chatFirst = [...chatLogs, ...functionLogs.filter((g) => !chatLogs.includes(g))];
  const prefix = `${props.serviceName}`;
  const query = (id: string, name: string, logGroups: logs.ILogGroup[], queryString: logs.QueryString) =>
    new logs.QueryDefinition(scope, id, {
      queryDefinitionName: `${prefix}/${name}`,
      logGroups,
      queryString,
    });

  query(
    'ErrorsByCodeQuery',
    'errors-by-code',
    functionLogs,
    new logs.QueryString({
      fields: ['@timestamp', 'route', 'status', 'code', 'level'],
      filterStatements: ['status >= 400 or level = "ERROR"'],
      statsStatements: ['count(*) as responses by route, status, code, level'],
      sort: 'responses desc',
    }),
  );
  query(
    'SlowChatsQuery',
    'slow-chats-over-5s',
    chatLogs,
    new logs.QueryString({
      fields: ['@timestamp', 'ChatLatencyMs', 'request_id', '@logStream'],
      filterStatements: [`ChatLatencyMs > ${slowChatMs}`],
      sort: 'ChatLatencyMs desc',
      limit: 100,
    }),
  );
  query(
    'FallbacksByReasonQuery',
    'fallbacks-by-reason',
    chatFirst,
    new logs.QueryString({
      fields: ['@timestamp', 'fallback_reason', 'code'],
      filterStatements: ['ispresent(fallback_reason) or ChatFallback > 0'],
      statsStatements: ['count(*) as fallbacks by fallback_reason, code, bin(1h)'],
      sort: 'fallbacks desc',
    }),
  );
  query(
    'RequestByIdQuery',
    'request-by-id',
    [props.accessLogGroup, ...functionLogs],
    new logs.QueryString({
      fields: ['@timestamp', '@log', 'level', 'message', 'route', 'status', 'code'],
      // Replace REQUEST_ID with the request_id from an error body or the access log.
      filterStatements: ['@message like "REQUEST_ID"'],
      sort: '@timestamp asc',
      limit: 500,
    }),
  );
  query(
    'CostByModelQuery',
    'cost-by-model-per-day',
    chatFirst,
    new logs.QueryString({
      fields: ['@timestamp', 'model', 'CostUsd', 'TokensUsed'],
      filterStatements: ['ispresent(CostUsd)'],
      statsStatements: ['sum(CostUsd) as cost_usd, sum(TokensUsed) as tokens by model, bin(1d) as day'],
      sort: 'day desc',
    }),
  );
}
