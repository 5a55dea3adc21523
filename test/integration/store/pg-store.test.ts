/** The ChatStore contract over `pg` on the test PostgreSQL (baseline, existing rows, all migrations). */
import { FunctionChatStore, pgTransport } from '../../../lambdas/shared/store';
import { createTestDatabase } from '../../support/database';
import { describeChatStoreContract } from '../../support/store-contract';

describeChatStoreContract('pg', async () => {
  const db = await createTestDatabase();
  return {
    store: new FunctionChatStore(pgTransport(db.pool)),
    query: async (sql, params = []) => (await db.pool.query(sql, [...params])).rows,
    close: () => db.drop(),
  };
});
