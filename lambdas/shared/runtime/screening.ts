/**
 * The screening of the functions that answer turns (chat, poller): the moderation endpoint
 * with the OpenAI key (null without one: nothing is screened, and the simulated coach answers
 * anyway), and the crisis services table in force (`CRISIS_RESOURCES` over the built-in one).
 */
import { crisisResourcesFrom, type CrisisResourceTable } from '../coach/crisis';
import type { AppConfig } from '../config';
import { logger } from '../observability';
import { createOpenAIScreener, SCREENING_TIMEOUT_MS } from '../openai/moderation';
import type { Screener } from '../ports';
import { lookupSecret } from '../secrets';

/** What a function that answers turns needs to screen them: the screener and the crisis services. */
export interface Screening {
  readonly screener: Screener | null;
  readonly crisisResources: CrisisResourceTable;
}

/** The screening of a chat, stream or poller function, composed once per container. */
export async function screeningFromConfig(cfg: AppConfig): Promise<Screening> {
  return { screener: await screenerFromConfig(cfg), crisisResources: crisisResourcesFromEnv() };
}

export async function screenerFromConfig(cfg: AppConfig): Promise<Screener | null> {
  const secret = await lookupSecret('openai_api_key', cfg);
  if (!secret.configured) return null;
  return createOpenAIScreener({
    apiKey: secret.value,
    baseURL: cfg.openaiBaseUrl,
    timeoutMs: SCREENING_TIMEOUT_MS,
  });
}

/**
 * The crisis services by locale. A `CRISIS_RESOURCES` that does not parse is logged (an ERROR
 * line naming the problem, never the value's text) and the built-in table answers instead.
 */
export function crisisResourcesFromEnv(env: NodeJS.ProcessEnv = process.env): CrisisResourceTable {
  const { table, problem } = crisisResourcesFrom(env.CRISIS_RESOURCES);
  if (problem) logger.error('crisis resources refused: the built-in table answers', { problem });
  return table;
}
