/**
 * The fixed ids of the rows in `db/baseline/existing-rows.sql` (the live database's
 * pre-existing data as tests see it) and `db/seed/demo.sql` (local mode), so tests can
 * name them. Keep both files and this one in step.
 */

export const PILLAR_IDS = {
  health: '10000000-0000-4000-8000-000000000001',
  emotion: '10000000-0000-4000-8000-000000000002',
  purpose: '10000000-0000-4000-8000-000000000003',
  connection: '10000000-0000-4000-8000-000000000004',
} as const;

export const FIXTURE_USERS = {
  /** Three check-ins of ratings, two active goals and one inactive, two threads, four chat pairs. */
  alice: {
    id: 'a11ce000-0000-4000-8000-000000000001',
    email: 'alice@example.com',
    displayName: 'Alice',
    goals: {
      /** Active, health pillar. */
      eveningWalks: '20000000-0000-4000-8000-000000000001',
      /** Active, emotion pillar. */
      gratitudeJournal: '20000000-0000-4000-8000-000000000002',
      /** Inactive, purpose pillar. */
      onlineCourse: '20000000-0000-4000-8000-000000000003',
    },
    threads: {
      general: { id: '30000000-0000-4000-8000-000000000001', threadId: 'thread_local_5f2a9c1e6b7d4e3a' },
      pillar: { id: '30000000-0000-4000-8000-000000000002', threadId: 'thread_local_8c41d0b2a7e94f65' },
    },
    /** Check-ins (2026-10-01, 2026-10-15, 2026-11-01); the latest per pillar: */
    latestRatings: { health: 62, emotion: 71, purpose: 55, connection: 80 },
    chatRows: 8,
  },
  /** Two check-ins, one active and one inactive goal, one thread (a uuid string), one chat pair. */
  bob: {
    id: 'b0b00000-0000-4000-8000-000000000002',
    email: 'bob@example.com',
    displayName: 'Bob',
    goals: {
      /** Active, connection pillar. */
      sundayCalls: '20000000-0000-4000-8000-000000000004',
      /** Inactive, health pillar. */
      tenK: '20000000-0000-4000-8000-000000000005',
    },
    threads: {
      general: {
        id: '30000000-0000-4000-8000-000000000003',
        threadId: '7d3c2b1a-0f9e-4d8c-b7a6-5e4d3c2b1a09',
      },
    },
    latestRatings: { health: 48, emotion: 66, purpose: 70, connection: 58 },
    chatRows: 2,
  },
  /** Has two `general_coach` threads (a duplicate the migrations merge) and a `pillar_coach` one. */
  carol: {
    id: 'ca201000-0000-4000-8000-000000000003',
    email: 'carol@example.com',
    displayName: 'Carol',
    goals: {
      /** Active, purpose pillar. */
      volunteering: '20000000-0000-4000-8000-000000000006',
    },
    threads: {
      /** The older duplicate (last interaction 2026-10-05). */
      generalOlder: { id: '30000000-0000-4000-8000-000000000004', threadId: 'thread_local_c0a1b2c3d4e5f607' },
      /** The newer duplicate (last interaction 2026-11-18): the merge keeps this row. */
      generalNewer: {
        id: '30000000-0000-4000-8000-000000000005',
        threadId: '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      },
      pillar: { id: '30000000-0000-4000-8000-000000000006', threadId: 'thread_local_f1e2d3c4b5a69788' },
    },
    latestRatings: { health: 74, emotion: 52, purpose: 45, connection: 67 },
    chatRows: 6,
  },
  /** A new user: auth row and profile only (no ratings, goals, threads or chats). */
  dave: {
    id: 'da7e0000-0000-4000-8000-000000000004',
    email: 'dave@example.com',
    displayName: 'Dave',
  },
} as const;

/** The user with duplicate `(user_id, assistant_type)` threads in the existing rows. */
export const DUPLICATE_THREAD_USER_ID = FIXTURE_USERS.carol.id;

/** Row counts of the existing rows, for "nothing lost" assertions. */
export const FIXTURE_COUNTS = {
  users: 4,
  profiles: 4,
  pillars: 4,
  pillarRatings: 28,
  userGoals: 6,
  activeGoals: 4,
  journalAiChats: 16,
  userAssistantThreads: 6,
} as const;

/** Local mode's demo user (`db/seed/demo.sql`). */
export const DEMO_USER_ID = 'dec0de00-0000-4000-8000-000000000001';
export const DEMO_USER_EMAIL = 'demo@mivia.local';
export const DEMO_GOAL_IDS = {
  morningStretch: 'dec0de02-0000-4000-8000-000000000001',
  screenFreeDinners: 'dec0de02-0000-4000-8000-000000000002',
} as const;
