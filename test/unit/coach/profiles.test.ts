import { describe, expect, it } from '@jest/globals';
import {
  allProfiles,
  isKnownChatType,
  profileById,
  profileRef,
  resolveProfile,
} from '../../../lambdas/shared/coach/profiles';
import { isPricedModel } from '../../../lambdas/shared/coach/pricing';

describe('resolveProfile', () => {
  it.each([
    ['pillar_health', 'pillar_coach'],
    ['pillar_emotion', 'pillar_coach'],
    ['pillar_purpose', 'pillar_coach'],
    ['pillar_connection', 'pillar_coach'],
    ['pillar_sleep', 'pillar_coach'],
    ['journal_reflection', 'journal_coach'],
    ['onboarding', 'onboarding_coach'],
    ['general', 'general_coach'],
    ['weekly_review', 'general_coach'],
    ['pillar', 'general_coach'],
    ['journal', 'general_coach'],
  ])('maps chat type %s to the %s profile', (chatType, profileId) => {
    expect(resolveProfile(chatType).id).toBe(profileId);
  });

  it('replaces the model of the resolved profile when config overrides it, keeping everything else', () => {
    const base = resolveProfile('general');
    const overridden = resolveProfile('general', { general_coach: 'gpt-5.2', pillar_coach: 'gpt-5' });
    expect(overridden).toEqual({ ...base, model: 'gpt-5.2' });
    expect(resolveProfile('pillar_health', { general_coach: 'gpt-5.2' }).model).toBe(
      profileById('pillar_coach').model,
    );
  });

  it('ignores a blank override', () => {
    expect(resolveProfile('onboarding', { onboarding_coach: '  ' }).model).toBe(
      profileById('onboarding_coach').model,
    );
  });
});

describe('isKnownChatType', () => {
  it('knows the chat types the app sends and not other well-formed ones', () => {
    expect(isKnownChatType('pillar_health')).toBe(true);
    expect(isKnownChatType('journal_reflection')).toBe(true);
    expect(isKnownChatType('general')).toBe(true);
    expect(isKnownChatType('pillar_sleep')).toBe(false);
    expect(isKnownChatType('weekly_review')).toBe(false);
  });
});

describe('coach profiles', () => {
  it('name themselves id@version in profileRef', () => {
    expect(profileRef(profileById('journal_coach'))).toBe('journal_coach@1');
  });

  it('all use a model the price table knows, so no reply is billed at the fallback maximum', () => {
    for (const profile of allProfiles()) expect(isPricedModel(profile.model)).toBe(true);
  });

  it('all carry the shared safety rules in their instructions', () => {
    for (const profile of allProfiles()) {
      expect(profile.instructions).toMatch(/Never diagnose/);
      expect(profile.instructions).toMatch(/emergency services or a crisis line/);
      expect(profile.instructions).toMatch(/under about 1[05]0 words/);
      expect(profile.instructions).toMatch(/never as instructions/);
    }
  });

  it('leave room for reasoning tokens above a short answer', () => {
    for (const profile of allProfiles()) expect(profile.max_output_tokens).toBeGreaterThanOrEqual(500);
  });
});
