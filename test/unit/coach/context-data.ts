/** Realistic context data for the coach unit tests; each call returns a fresh copy. */
import type { CoachContextData } from '../../../lambdas/shared/contract/schemas';

export function sampleContext(overrides: Partial<CoachContextData> = {}): CoachContextData {
  return {
    display_name: 'Sam Rivera',
    ratings: [
      { pillar: 'health', pillar_display_name: 'Health', rating: 42, rated_at: '2026-11-20T08:00:00Z' },
      { pillar: 'emotion', pillar_display_name: 'Emotion', rating: 68, rated_at: '2026-11-20T08:00:00Z' },
      { pillar: 'purpose', pillar_display_name: 'Purpose', rating: 81, rated_at: '2026-11-19T08:00:00Z' },
      {
        pillar: 'connection',
        pillar_display_name: 'Connection',
        rating: 55,
        rated_at: '2026-11-18T08:00:00Z',
      },
    ],
    goals: [
      {
        id: '0b7c6a52-6f0e-4c3c-9d57-1f2a3b4c5d6e',
        title: 'Walk 20 minutes after dinner',
        focus: 'consistency',
        pillar: 'health',
        pillar_display_name: 'Health',
      },
      {
        id: '1c8d7b63-7a1f-4d4d-8e68-2a3b4c5d6e7f',
        title: 'Call a friend every Sunday',
        focus: null,
        pillar: 'connection',
        pillar_display_name: 'Connection',
      },
    ],
    goal: null,
    recent_messages: [
      {
        message: 'I slept badly again and skipped my walk',
        chat_type: 'pillar_health',
        created_at: '2026-11-21T19:00:00Z',
      },
      {
        message: 'Work has been overwhelming this week',
        chat_type: 'general',
        created_at: '2026-11-20T19:00:00Z',
      },
    ],
    ...overrides,
  };
}
