/**
 * Builds the app the way bin/app.ts does (cdk.json context, feature flags included, plus
 * overrides), so the tests look at what `cdk synth` deploys. Bundling is real: each test file
 * synthesizes once in `beforeAll`.
 */
import { readFileSync } from 'node:fs';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CoachStack } from '../../../lib/coach-stack';
import { deployContextOf, parseDeployConfig, type RawDeployContext } from '../../../lib/config';

const cdkJson = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface SynthesizedCoach {
  readonly app: App;
  readonly stack: CoachStack;
  readonly template: Template;
}

export function synthesizeCoach(overrides: RawDeployContext = {}): SynthesizedCoach {
  const app = new App({ context: { ...cdkJson.context, ...overrides } });
  const config = parseDeployConfig(deployContextOf(app));
  const stack = new CoachStack(app, `MiviaCoach-${config.stage}`, {
    config,
    env: config.account && config.region ? { account: config.account, region: config.region } : undefined,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Runs cdk-nag's AwsSolutions pack over the app (as the synth-time plugin does) and returns what it reports. */
export function nagViolations(app: App): readonly string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
  );
}

/** The template's logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(resource as CfnElement)) as string;
}
