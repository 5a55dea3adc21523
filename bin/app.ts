/**
 * The CDK app: reads the deploy configuration from the CDK context (cdk.json and `-c`),
 * validates it, builds the stack and runs cdk-nag's AwsSolutions checks on every synth.
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CoachStack } from '../lib/coach-stack';
import { DeployConfigError, deployContextOf, parseDeployConfig, type DeployConfig } from '../lib/config';

const app = new App();

let config: DeployConfig;
try {
  config = parseDeployConfig(deployContextOf(app));
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

new CoachStack(app, `MiviaCoach-${config.stage}`, {
  config,
  description: `MiVia AI coach backend (${config.stage}): API Gateway, Lambda, Step Functions, Secrets Manager, CloudWatch`,
  // Environment-agnostic unless both are given: synth needs no AWS account or credentials.
  env: config.account && config.region ? { account: config.account, region: config.region } : undefined,
});

Tags.of(app).add('project', 'mivia-coach');
Tags.of(app).add('stage', config.stage);

// cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
