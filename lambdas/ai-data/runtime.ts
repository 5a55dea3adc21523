/**
 * What the ai-data Lambdas build at cold start: the erasure state machine's ARN (a zod
 * schema over the environment, parsed once), the OpenAI eraser from the OpenAI key, and the
 * Step Functions starter of the erasure state machine.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import type { AppConfig, Env } from '../shared/config';
import { MetricName, metrics } from '../shared/observability';
import { getSecret } from '../shared/secrets';
import { createOpenAIDataEraser } from './openai';
import type { ErasureStarter, OpenAIDataEraser } from './ports';

const ErasureEnv = z.object({
  ERASURE_STATE_MACHINE_ARN: z.string().trim().startsWith('arn:', 'must be an ARN').optional(),
});

/** The erasure state machine the ai-data function starts (`ERASURE_STATE_MACHINE_ARN`), if configured. */
export function erasureStateMachineArn(env: Env = process.env): string | undefined {
  const parsed = ErasureEnv.safeParse({
    ERASURE_STATE_MACHINE_ARN: env.ERASURE_STATE_MACHINE_ARN || undefined,
  });
  if (!parsed.success)
    throw new Error(`ERASURE_STATE_MACHINE_ARN ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data.ERASURE_STATE_MACHINE_ARN;
}

/** The OpenAI eraser of the configured key; null without one. */
export async function eraserFromConfig(cfg: AppConfig): Promise<OpenAIDataEraser | null> {
  const apiKey = await getSecret('openai_api_key', cfg);
  if (!apiKey) return null;
  return createOpenAIDataEraser({
    apiKey,
    baseURL: cfg.openaiBaseUrl,
    timeoutMs: cfg.openaiTimeoutMs,
    maxRetries: cfg.openaiMaxRetries,
    onRetry: () => metrics.addMetric(MetricName.OpenAIRetries, MetricUnit.Count, 1),
  });
}

/** The execution name of an erasure's attempt: unique per attempt, so a resumed erasure gets a new execution. */
export function erasureExecutionName(erasureId: string, attempt: number): string {
  return `${erasureId}-a${attempt}`;
}

/** The state machine's input for an erasure's attempt (lib/erasure.ts). */
export function erasureExecutionInput(erasureId: string, attempt: number, now = new Date()) {
  return { erasure_id: erasureId, attempt, steps: 0, started_at: now.toISOString() };
}

/** Starts the erasure state machine; a second start of the same attempt is a no-op. */
export function stepFunctionsErasures(stateMachineArn: string, client = new SFNClient({})): ErasureStarter {
  return {
    async start({ erasure_id, attempt }) {
      try {
        await client.send(
          new StartExecutionCommand({
            stateMachineArn,
            name: erasureExecutionName(erasure_id, attempt),
            input: JSON.stringify(erasureExecutionInput(erasure_id, attempt)),
          }),
        );
      } catch (error) {
        if (error instanceof ExecutionAlreadyExists) return;
        throw error;
      }
    },
  };
}
