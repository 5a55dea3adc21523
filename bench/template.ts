/**
 * The memory size of each Lambda function as the stack deploys it: the CDK app synthesized
 * the way bin/app.ts builds it (cdk.json context), without bundling (only the template is read).
 */
import type { RawDeployContext } from '../lib/config';
import { synthesizeCoach } from '../test/unit/infra/support';

export type FunctionName = 'chat' | 'runs' | 'authorizer' | 'poller';

/** The template's logical id prefix of each function (`lib/functions.ts` construct ids). */
const PREFIX: Readonly<Record<FunctionName, string>> = {
  chat: 'FunctionsChatFunction',
  runs: 'FunctionsRunsFunction',
  authorizer: 'FunctionsAuthorizerFunction',
  poller: 'FunctionsPollerFunction',
};

interface TemplateJson {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: { MemorySize?: number } }
  >;
}

export function functionMemoryMb(): Readonly<Record<FunctionName, number>> {
  const { template } = synthesizeCoach({ 'aws:cdk:bundling-stacks': [] } as RawDeployContext);
  const resources = Object.entries((template.toJSON() as TemplateJson).Resources);
  const memoryOf = (prefix: string): number => {
    const found = resources.find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix));
    if (!found) throw new Error(`No Lambda function ${prefix}… in the synthesized template`);
    // CloudFormation's default when MemorySize is absent.
    return found[1].Properties?.MemorySize ?? 128;
  };
  return {
    chat: memoryOf(PREFIX.chat),
    runs: memoryOf(PREFIX.runs),
    authorizer: memoryOf(PREFIX.authorizer),
    poller: memoryOf(PREFIX.poller),
  };
}
