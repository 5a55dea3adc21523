import { describe, expect, it } from '@jest/globals';
import { SIMULATED_MODEL, simulatedReply } from '../../../lambdas/shared/coach/simulated';
import { sampleContext } from './context-data';

const seeds = Array.from({ length: 40 }, (_, i) => `client-message-${i}`);
const reply = (
  chatType: string,
  seed: string,
  context = sampleContext(),
  message = 'I keep skipping my evening walk.',
) => simulatedReply({ message, chatType, context, seed });

describe('simulatedReply', () => {
  it('gives the same reply for the same seed, so a retried request gets the same answer', () => {
    for (const seed of seeds.slice(0, 5)) expect(reply('general', seed)).toBe(reply('general', seed));
  });

  it('varies its replies across seeds within each chat type', () => {
    for (const chatType of ['general', 'pillar_health', 'journal_reflection', 'onboarding']) {
      const replies = new Set(seeds.map((seed) => reply(chatType, seed)));
      expect([chatType, replies.size >= 3]).toEqual([chatType, true]);
    }
  });

  it('answers each kind of chat in its own way', () => {
    const byType = (chatType: string) => new Set(seeds.map((seed) => reply(chatType, seed)));
    const general = byType('general');
    for (const other of ['pillar_health', 'journal_reflection', 'onboarding']) {
      for (const text of byType(other)) expect(general.has(text)).toBe(false);
    }
  });

  it('addresses the user by first name', () => {
    for (const seed of seeds.slice(0, 10)) expect(reply('general', seed)).toContain('Sam');
  });

  it('does without a name when the user has not shared one', () => {
    const text = reply('general', 'seed-1', sampleContext({ display_name: null }));
    expect(text).not.toMatch(/null|undefined/);
    expect(text.length).toBeGreaterThan(40);
  });

  it('never addresses a user without a name by any name: the same reply, with the name left out', () => {
    const crisis = 'Sometimes I want to die.';
    for (const chatType of [
      'general',
      'pillar_health',
      'journal_reflection',
      'onboarding',
      'weekly_review',
    ]) {
      for (const seed of seeds) {
        for (const message of ['I keep skipping my evening walk.', crisis]) {
          const named = reply(chatType, seed, sampleContext(), message);
          const nameless = reply(chatType, seed, sampleContext({ display_name: null }), message);

          // The named reply, "Sam" taken out: ", Sam" disappears and "Hi Sam" becomes "Hi there".
          expect(nameless).toBe(named.replace(', Sam', '').replace('Hi Sam', 'Hi there'));
          expect(nameless).not.toMatch(/Sam|Rivera/);
        }
      }
    }
  });

  it('talks about the pillar of a pillar chat, with its rating or goal', () => {
    const replies = seeds.map((seed) => reply('pillar_health', seed));
    for (const text of replies) expect(text).toContain('Health');
    expect(replies.some((text) => text.includes('42%'))).toBe(true);
    expect(replies.some((text) => text.includes('Walk 20 minutes after dinner'))).toBe(true);
    expect(replies.some((text) => text.includes('Call a friend'))).toBe(false);
  });

  it('uses the lowest and highest pillar ratings and an active goal in general chats', () => {
    const replies = seeds.map((seed) => reply('general', seed));
    expect(replies.some((text) => text.includes('Health at 42%'))).toBe(true);
    expect(replies.some((text) => text.includes('Purpose right now (81%)'))).toBe(true);
    expect(
      replies.some(
        (text) =>
          text.includes('“Call a friend every Sunday”') || text.includes('“Walk 20 minutes after dinner”'),
      ),
    ).toBe(true);
  });

  it('prefers the specific goal of the chat over other goals', () => {
    const data = sampleContext();
    const withGoal = sampleContext({ goal: data.goals[1] ?? null });
    const replies = seeds.map((seed) => reply('general', seed, withGoal));
    const mentioning = replies.filter((text) => text.includes('“'));
    expect(mentioning.length).toBeGreaterThan(0);
    for (const text of mentioning) expect(text).toContain('“Call a friend every Sunday”');
  });

  it('still answers well with no ratings, goals or name', () => {
    const empty = { display_name: null, ratings: [], goals: [], goal: null, recent_messages: [] };
    for (const chatType of [
      'general',
      'pillar_purpose',
      'journal_reflection',
      'onboarding',
      'weekly_review',
    ]) {
      for (const seed of seeds.slice(0, 8)) {
        const text = reply(chatType, seed, empty);
        expect(text).not.toMatch(/null|undefined|NaN|%/);
        expect(text.trim().endsWith('?')).toBe(true);
      }
    }
  });

  it('ends every reply with a question and keeps it short', () => {
    for (const chatType of ['general', 'pillar_connection', 'journal_reflection', 'onboarding']) {
      for (const seed of seeds) {
        const text = reply(chatType, seed);
        expect(text.trim().endsWith('?')).toBe(true);
        expect(text.split(/\s+/).length).toBeLessThanOrEqual(80);
      }
    }
  });

  it('answers crisis language with a pointer to emergency help, never a coaching template', () => {
    for (const message of [
      'I want to die',
      'sometimes I think about suicide',
      'I have been hurting myself again',
    ]) {
      for (const chatType of ['general', 'pillar_health', 'onboarding']) {
        const text = reply(chatType, 'seed-9', sampleContext(), message);
        expect(text).toContain('988');
        expect(text).toMatch(/emergency/);
      }
    }
  });

  it('names its model', () => {
    expect(SIMULATED_MODEL).toBe('mivia-simulated-coach');
  });
});
