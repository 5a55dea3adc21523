/**
 * Shapes of the app's existing tables that all agree with the PRD (test/fixtures/shapes/),
 * each with a user whose context is known, so the same tests run on every shape: the
 * migrations apply, `migrate --check` reports what it found, and a chat turn runs through
 * the store with the right name, ratings and goals. Plus one shape the backend cannot take.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applySupabasePlatform, execInTransaction, FIXTURE_USERS, pgExecutor } from '../../db/index';
import type { CoachContextData } from '../../lambdas/shared/contract/schemas';
import { createTestDatabase, type TestDatabase } from './database';

const SHAPES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'shapes');

export interface TableShape {
  readonly name: string;
  /** A file of test/fixtures/shapes/, or null for today's baseline (db/baseline/). */
  readonly fixture: string | null;
  /** Rows the fixture does not have, added after it. */
  readonly extraSql?: string;
  /** A user with ratings, goals and a thread, and what the coach sees of them. */
  readonly user: {
    readonly id: string;
    readonly goalId: string;
    readonly context: Omit<CoachContextData, 'recent_messages' | 'goal'>;
    readonly latestMessage: CoachContextData['recent_messages'][number];
  };
  /** A user without a name in the profile or in the auth metadata. */
  readonly namelessUserId: string;
  /** Lines `npm run migrate -- --check` prints about what it found. */
  readonly checkLines: readonly string[];
}

const alice = FIXTURE_USERS.alice;
const NAMELESS_BASELINE_USER = 'ba5e0000-0000-4000-8000-00000000000a';

export const PRD_MINIMAL: TableShape = {
  name: 'PRD-minimal',
  fixture: 'prd-minimal.sql',
  user: {
    id: '51a00000-0000-4000-8000-000000000001',
    goalId: '51c00000-0000-4000-8000-000000000001',
    context: {
      display_name: 'Priya Shah',
      // No ordering column: pillars in display-name order; ratings hold the lower-case name.
      ratings: [
        {
          pillar: 'connection',
          pillar_display_name: 'Connection',
          rating: 77,
          rated_at: '2026-11-02T08:15:00.000Z',
        },
        {
          pillar: 'emotion',
          pillar_display_name: 'Emotion',
          rating: 70,
          rated_at: '2026-11-02T08:15:00.000Z',
        },
        { pillar: 'health', pillar_display_name: 'Health', rating: 61, rated_at: '2026-11-02T08:15:00.000Z' },
        {
          pillar: 'purpose',
          pillar_display_name: 'Purpose',
          rating: 52,
          rated_at: '2026-11-02T08:15:00.000Z',
        },
      ],
      // No created_at: goals in id order.
      goals: [
        {
          id: '51c00000-0000-4000-8000-000000000001',
          title: 'Sleep by eleven',
          focus: 'A wind-down alarm',
          pillar: 'health',
          pillar_display_name: 'Health',
        },
        {
          id: '51c00000-0000-4000-8000-000000000002',
          title: 'Lunch with a friend weekly',
          focus: null,
          pillar: 'connection',
          pillar_display_name: 'Connection',
        },
      ],
    },
    latestMessage: {
      message: 'I slept six hours again.',
      chat_type: 'general',
      created_at: '2026-11-02T08:20:00.000Z',
    },
  },
  namelessUserId: '51a00000-0000-4000-8000-000000000002',
  checkLines: [
    'profile key      public.profiles.id (foreign key profiles_id_fkey to auth.users)',
    'user name        first non-empty of auth.users.raw_user_meta_data ->> display_name | full_name | name',
    'goal → pillar    public.user_goals.pillar_id → public.pillars.id (foreign key user_goals_pillar_id_fkey)',
    'pillar key       public.pillars.display_name, ignoring case',
    'pillar order     public.pillars.display_name (no ordering column)',
    'goal order       public.user_goals.id',
    'timestamps       journal_ai_chats.created_at: timestamp without time zone',
    '    rating                integer                       yes                              ok (PRD)',
    '    other NOT NULL columns: none',
    '- merge duplicate threads: 1 (user, assistant type) group, 1 row folded into the survivor',
    '- create index user_goals_pillar_id_idx on public.user_goals (pillar_id) (3 rows; goals by pillar',
    'Result: OK.',
  ],
};

export const BASELINE: TableShape = {
  name: "today's baseline",
  fixture: null,
  extraSql: `insert into auth.users (id, email) values ('${NAMELESS_BASELINE_USER}', 'nameless@example.com');
             insert into public.profiles (id, display_name) values ('${NAMELESS_BASELINE_USER}', '  ');`,
  user: {
    id: alice.id,
    goalId: alice.goals.eveningWalks,
    context: {
      display_name: 'Alice',
      ratings: (['health', 'emotion', 'purpose', 'connection'] as const).map((pillar) => ({
        pillar,
        pillar_display_name: pillar.replace(/^./, (c) => c.toUpperCase()),
        rating: alice.latestRatings[pillar],
        rated_at: '2026-11-01T09:15:00.000Z',
      })),
      goals: [
        {
          id: alice.goals.eveningWalks,
          title: 'Walk 30 minutes every evening',
          focus: 'Evening walks after dinner',
          pillar: 'health',
          pillar_display_name: 'Health',
        },
        {
          id: alice.goals.gratitudeJournal,
          title: 'Journal three times a week',
          focus: 'Gratitude notes',
          pillar: 'emotion',
          pillar_display_name: 'Emotion',
        },
      ],
    },
    latestMessage: {
      message: 'Today I noticed I am calmer in the mornings.',
      chat_type: 'journal_reflection',
      created_at: '2026-11-21T07:40:00.000Z',
    },
  },
  namelessUserId: NAMELESS_BASELINE_USER,
  checkLines: [
    'user name        first non-empty of public.profiles.display_name, auth.users.raw_user_meta_data ->> display_name | full_name | name',
    'pillar key       public.pillars.name, held by pillar_ratings.pillar',
    'pillar order     public.pillars.sort_order',
    'goal order       public.user_goals.created_at',
    '- create index user_goals_pillar_id_idx on public.user_goals (pillar_id) (6 rows',
  ],
};

export const EXTENDED: TableShape = {
  name: 'extended (NOT NULL defaults, triggers, timestamptz, no profile name)',
  fixture: 'extended.sql',
  user: {
    id: 'e0a00000-0000-4000-8000-000000000001',
    goalId: 'e0c00000-0000-4000-8000-000000000002',
    context: {
      display_name: 'Kai',
      ratings: [
        // 23:30 at UTC-5 is 04:30 UTC; numeric(5, 2) ratings keep their fraction.
        {
          pillar: 'health',
          pillar_display_name: 'Health',
          rating: 62.5,
          rated_at: '2026-11-16T04:30:00.000Z',
        },
        {
          pillar: 'emotion',
          pillar_display_name: 'Emotion',
          rating: 60,
          rated_at: '2026-11-16T04:30:00.000Z',
        },
        {
          pillar: 'purpose',
          pillar_display_name: 'Purpose',
          rating: 66,
          rated_at: '2026-11-16T04:30:00.000Z',
        },
        {
          pillar: 'connection',
          pillar_display_name: 'Connection',
          rating: 69,
          rated_at: '2026-11-16T04:30:00.000Z',
        },
      ],
      goals: [
        {
          id: 'e0c00000-0000-4000-8000-000000000002',
          title: 'Run 5k without stopping',
          focus: 'Three runs a week',
          pillar: 'health',
          pillar_display_name: 'Health',
        },
        {
          id: 'e0c00000-0000-4000-8000-000000000001',
          title: 'Notice one good thing a day',
          focus: null,
          pillar: 'emotion',
          pillar_display_name: 'Emotion',
        },
      ],
    },
    latestMessage: {
      message: 'My knee hurts after running.',
      chat_type: 'pillar_health',
      created_at: '2026-11-16T04:31:00.000Z',
    },
  },
  namelessUserId: 'e0a00000-0000-4000-8000-000000000002',
  checkLines: [
    'profile key      public.profiles.user_id (foreign key profiles_user_id_fkey to auth.users)',
    'user name        first non-empty of auth.users.raw_user_meta_data ->> display_name | full_name | name',
    'goal → pillar    public.user_goals.pillar_slug → public.pillars.slug (foreign key user_goals_pillar_slug_fkey)',
    'pillar key       public.pillars.slug, held by pillar_ratings.pillar (pillar_ratings.pillar references it (foreign key pillar_ratings_pillar_fkey))',
    'pillar order     public.pillars.position',
    'goal order       public.user_goals.created_at',
    'journal_ai_chats.created_at: timestamp with time zone',
    'user_assistant_threads.last_interaction_at: timestamp with time zone',
    "    other NOT NULL columns: app_version (default 'ios-2.4.0'::text), is_deleted (default false), updated_at (default now())",
    '    other NOT NULL columns: platform (default',
    '    triggers: journal_ai_chats_set_updated_at (before update for each row, public.set_updated_at())',
    'triggers         public.journal_ai_chats: journal_ai_chats_set_updated_at; public.user_assistant_threads: user_assistant_threads_set_updated_at',
    'note             trigger journal_ai_chats_set_updated_at on journal_ai_chats calls public.set_updated_at(), which sets no search_path',
    '- column public.user_assistant_threads.updated_at exists: kept as it is',
    '- public.profiles (user_id) is indexed already (the profile of a user)',
    '- create index user_goals_pillar_slug_idx on public.user_goals (pillar_slug) (3 rows',
    'Result: OK.',
  ],
};

/** The backend cannot take it: user_goals lacks is_active, journal_ai_chats has a NOT NULL column without default. */
export const MISSING_COLUMN = { name: 'missing a required column', fixture: 'missing-column.sql' } as const;

/** The shapes a chat turn must work on. */
export const WORKING_SHAPES: readonly TableShape[] = [PRD_MINIMAL, BASELINE, EXTENDED];

/** A fresh database with Supabase's platform objects and the app's tables in `shape`, not migrated. */
export async function createShapeDatabase(shape: {
  readonly fixture: string | null;
  readonly extraSql?: string;
}): Promise<TestDatabase> {
  const db = await createTestDatabase({ template: shape.fixture === null ? 'baseline' : 'empty' });
  const client = await db.pool.connect();
  try {
    const executor = pgExecutor(client);
    if (shape.fixture !== null) {
      await applySupabasePlatform(executor);
      await execInTransaction(executor, await readFile(path.join(SHAPES_DIR, shape.fixture), 'utf8'));
    }
    if (shape.extraSql) await execInTransaction(executor, shape.extraSql);
  } finally {
    client.release();
  }
  return db;
}
