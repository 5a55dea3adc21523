/**
 * `CoachStack`: the MiVia coach backend. It only composes the constructs, one per concern,
 * from the validated deploy configuration.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CoachApi } from './api';
import type { DeployConfig } from './config';
import { ErasureRunner } from './erasure';
import { CoachFlags, initialFlagsDocument } from './flags';
import { CoachFunctions } from './functions';
import { CoachMonitoring } from './monitoring';
import { RunPoller } from './poller';
import { CoachSecrets } from './secrets';

export interface CoachStackProps extends StackProps {
  readonly config: DeployConfig;
}

export class CoachStack extends Stack {
  readonly secrets: CoachSecrets;
  readonly functions: CoachFunctions;
  readonly poller: RunPoller;
  readonly api: CoachApi;
  readonly monitoring: CoachMonitoring;
  readonly erasure: ErasureRunner;
  readonly flags: CoachFlags;

  constructor(scope: Construct, id: string, props: CoachStackProps) {
    super(scope, id, props);
    const { config } = props;
    const serviceName = `mivia-coach-${config.stage}`;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    this.secrets = new CoachSecrets(this, 'Secrets', {
      openaiApiKey: config.openaiSecret,
      supabaseServiceRoleKey: config.supabaseServiceRoleSecret,
      jwtSecret: config.jwtSecret,
      withJwtSecret: config.usesJwtSecret,
    });

    this.functions = new CoachFunctions(this, 'Functions', {
      config,
      secrets: this.secrets,
      defaults: { stage: config.stage, serviceName, logLevel: config.logLevel, logRetention },
    });

    this.poller = new RunPoller(this, 'RunPoller', {
      pollerFunction: this.functions.poller.function,
      maxPollSeconds: config.maxPollSeconds,
      logRetention,
    });
    this.poller.connectStarter(this.functions.chat.function);
    this.poller.connectStarter(this.functions.chatStream.function);

    const fns = this.functions;
    this.api = new CoachApi(this, 'Api', {
      stage: config.stage,
      apiName: serviceName,
      handlers: {
        chat: fns.chat.function,
        chatStream: fns.chatStream.function,
        runs: fns.runs.function,
        threads: fns.threads.function,
        context: fns.context.function,
        feedback: fns.feedback.function,
        openapi: fns.openapi.function,
        aiData: fns.aiData.function,
        authorizer: fns.authorizer.function,
      },
      throttlingRateLimit: config.throttlingRateLimit,
      throttlingBurstLimit: config.throttlingBurstLimit,
      logRetention,
      manageCloudWatchRole: config.apiGatewayCloudWatchRole,
    });

    const monitored = (
      label: string,
      f: { function: CoachFunctions['chat']['function']; logGroup: logs.ILogGroup },
    ) => ({
      label,
      function: f.function,
      logGroup: f.logGroup,
    });
    this.monitoring = new CoachMonitoring(this, 'Monitoring', {
      serviceName,
      api: this.api.api,
      accessLogGroup: this.api.accessLogGroup,
      chat: monitored('chat', fns.chat),
      chatStream: monitored('chat-stream', fns.chatStream),
      functions: [
        monitored('chat', fns.chat),
        monitored('chat-stream', fns.chatStream),
        monitored('runs', fns.runs),
        monitored('threads', fns.threads),
        monitored('context', fns.context),
        monitored('feedback', fns.feedback),
        monitored('openapi', fns.openapi),
        monitored('authorizer', fns.authorizer),
        monitored('poller', fns.poller),
        monitored('ai-data', fns.aiData),
        monitored('erasure', fns.erasure),
      ],
      poller: this.poller.stateMachine,
      dailyCostBudgetUsd: config.dailyCostBudgetUsd,
      alarmEmail: config.alarmEmail,
    });

    this.erasure = new ErasureRunner(this, 'ErasureRunner', {
      erasureFunction: fns.erasure.function,
      alarmTopic: this.monitoring.alarmTopic,
      logRetention,
    });
    this.erasure.connectStarter(fns.aiData.function);

    // Always provisioned: the functions read their flags from it (lambdas/shared/flags).
    this.flags = new CoachFlags(this, 'Flags', {
      stage: config.stage,
      document: initialFlagsDocument(config),
      rollbackAlarms: [this.monitoring.alarms.errorRate, this.monitoring.alarms.fallbackRate],
      readers: [
        fns.chat.function,
        fns.chatStream.function,
        fns.poller.function,
        fns.threads.function,
        fns.context.function,
      ],
    });

    for (const secret of this.secrets.all.filter((s) => s.created)) {
      new CfnOutput(secret, 'SecretArn', {
        key: `${secret.node.id}SecretArn`,
        description: `Put the value with: aws secretsmanager put-secret-value --secret-id <this> --secret-string file://...`,
        value: secret.secret.secretArn,
      });
    }
    new CfnOutput(this, 'PollerStateMachineArn', { value: this.poller.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ErasureStateMachineArn', { value: this.erasure.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    // What `aws appconfig start-deployment` needs to deploy a new flags document.
    new CfnOutput(this, 'FlagsApplicationId', { value: this.flags.application.applicationId });
    new CfnOutput(this, 'FlagsEnvironmentId', { value: this.flags.environment.environmentId });
    new CfnOutput(this, 'FlagsConfigurationProfileId', { value: this.flags.profile.configurationProfileId });
    new CfnOutput(this, 'FlagsDeploymentStrategyId', {
      value: this.flags.deploymentStrategy.deploymentStrategyId,
    });
  }
}
