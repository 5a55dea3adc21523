/**
 * A state machine's Amazon States Language definition exactly as a construct synthesizes it,
 * with its task function's ARN as a plain string: what local mode and the tests execute with
 * aws-local-stepfunctions (lib/poller.ts, lib/erasure.ts), so no hand-written copy can drift.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * Synthesizes `build(stack, fn)` in a throwaway stack, `fn` being the function of
 * `functionArn`, and returns the one state machine's definition.
 */
export function synthesizedDefinition(
  name: string,
  functionArn: string,
  build: (scope: Construct, fn: lambda.IFunction) => void,
): Record<string, unknown> {
  const app = new App();
  const stack = new Stack(app, `${name}Definition`, {
    env: { account: '123456789012', region: 'us-east-1' },
  });
  const fn = lambda.Function.fromFunctionAttributes(stack, 'TaskFunction', {
    functionArn,
    sameEnvironment: true,
  });
  build(stack, fn);

  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { DefinitionString: unknown } }>;
  };
  const resource = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (!resource) throw new Error(`${name} synthesized no state machine`);
  return JSON.parse(flattenJoin(resource.Properties.DefinitionString)) as Record<string, unknown>;
}

/** A DefinitionString is a string or an `Fn::Join` of strings once every token is a literal. */
function flattenJoin(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join && join[1].every((part) => typeof part === 'string')) return join[1].join(join[0]);
  throw new Error(`The definition still holds unresolved tokens: ${JSON.stringify(value)}`);
}

/**
 * The cdk-nag findings on a state machine's role that invokes one task function: the role
 * can invoke `fn` (and its versions) and nothing else but the X-Ray and log-delivery calls
 * that tracing and logging need, which have no resource-level permissions.
 */
export function acknowledgeTaskRole(
  stateMachine: sfn.StateMachine,
  fn: lambda.IFunction,
  task: string,
): void {
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and CloudWatch Logs vended delivery ' +
      '(logs:CreateLogDelivery, DescribeResourcePolicies, ...) support no resource-level permissions.',
  });
  const cfnFunction = fn.node.defaultChild;
  if (cfnFunction instanceof lambda.CfnFunction) {
    const stack = Stack.of(stateMachine);
    const logicalId = stack.resolve(stack.getLogicalId(cfnFunction)) as string;
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason:
        `LambdaInvoke grants lambda:InvokeFunction on the ${task} function and its qualified ARNs ` +
        '(versions and aliases, "<arn>:*"): the same single function, no other.',
    });
  }
}
