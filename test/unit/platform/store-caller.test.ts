import { describe, expect, it } from '@jest/globals';
import { AppError } from '../../../lambdas/shared/errors';
import { StoreCallError } from '../../../lambdas/shared/store/supabase-transport';
import { storeCaller, type StoreTransport } from '../../../lambdas/shared/store/transport';

/** A transport whose every call fails with `error`. */
function failingWith(error: unknown): StoreTransport {
  return {
    callFunction: async () => {
      throw error;
    },
  };
}

const missingUser = (table: string) =>
  `insert or update on table "${table}" violates foreign key constraint "${table}_user_id_fkey"`;

describe('the store caller', () => {
  it('answers a write for a user whose account is gone with 401, over SQL and over PostgREST', async () => {
    const overSql = Object.assign(new Error(missingUser('chat_runs')), { code: '23503' });
    const overPostgrest = new StoreCallError(
      'coach_prepare_turn',
      409,
      '23503',
      missingUser('coach_conversations'),
      {
        cause: null,
      },
    );

    for (const error of [overSql, overPostgrest]) {
      const call = storeCaller(failingWith(error))('coach_prepare_turn', {});
      await expect(call).rejects.toBeInstanceOf(AppError);
      await expect(call).rejects.toMatchObject({ code: 'unauthorized', status: 401 });
    }
  });

  it('rethrows any other constraint violation as it is', async () => {
    const otherKey = Object.assign(
      new Error(
        'insert or update on table "chat_feedback" violates foreign key constraint "chat_feedback_message_id_fkey"',
      ),
      { code: '23503' },
    );
    const unique = Object.assign(new Error(missingUser('chat_runs')), { code: '23505' });

    for (const error of [otherKey, unique]) {
      await expect(storeCaller(failingWith(error))('coach_record_feedback', {})).rejects.toBe(error);
    }
  });
});
