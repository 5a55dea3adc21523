import { describe, expect, it } from '@jest/globals';
import { BUILT_IN_MODEL_FACTS } from '../../../lambdas/shared/coach/model-facts';
import {
  allProfiles,
  isKnownChatType,
  profileById,
  profileProblems,
  profileRef,
  resolveProfile,
} from '../../../lambdas/shared/coach/profiles';

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
    const overridden = resolveProfile('general', {
      general_coach: 'gpt-6.1-sol',
      pillar_coach: 'gpt-6-luna',
    });
    expect(overridden).toEqual({ ...base, model: 'gpt-6.1-sol' });
    expect(resolveProfile('pillar_health', { general_coach: 'gpt-6.1-sol' }).model).toBe(
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
    expect(profileRef(profileById('journal_coach'))).toBe('journal_coach@4');
  });

  it('each compact its conversation at a threshold of its own that OpenAI accepts (at least 1000 tokens)', () => {
    for (const profile of allProfiles()) {
      expect(Number.isInteger(profile.compact_threshold)).toBe(true);
      expect(profile.compact_threshold).toBeGreaterThanOrEqual(1000);
    }
    expect(profileById('onboarding_coach').compact_threshold).toBeLessThan(
      profileById('general_coach').compact_threshold,
    );
  });

  it('all send a model, effort and temperature the model facts accept (so OpenAI refuses no turn)', () => {
    expect(profileProblems({}, BUILT_IN_MODEL_FACTS)).toEqual([]);
    for (const profile of allProfiles()) {
      expect(Object.keys(BUILT_IN_MODEL_FACTS.models)).toContain(profile.model);
    }
  });

  it("no longer send GPT-5's 'minimal' effort from the onboarding coach", () => {
    expect(profileById('onboarding_coach')).toMatchObject({ model: 'gpt-6-luna', reasoning_effort: 'none' });
    for (const profile of allProfiles()) expect(profile.reasoning_effort).not.toBe('minimal');
  });

  it('run fast, low-effort models for a short reply: nothing above low effort, nothing dearer than gpt-6.1-terra', () => {
    const terra = BUILT_IN_MODEL_FACTS.models['gpt-6.1-terra']?.price.output ?? 0;
    for (const profile of allProfiles()) {
      expect(['none', 'low']).toContain(profile.reasoning_effort);
      expect(BUILT_IN_MODEL_FACTS.models[profile.model]?.price.output).toBeLessThanOrEqual(terra);
    }
  });

  it('report each override the model would refuse, naming the profile and why', () => {
    expect(
      profileProblems(
        { onboarding_coach: 'gpt-6.1-sol', general_coach: 'gpt-5-mini', journal_coach: 'gpt-7-nova' },
        BUILT_IN_MODEL_FACTS,
      ),
    ).toEqual([
      {
        profile: 'general_coach',
        overridden: true,
        message: 'gpt-5-mini is deprecated: OpenAI shuts it down on 2026-12-11 (use gpt-6.1-terra)',
      },
      {
        profile: 'journal_coach',
        overridden: true,
        message: expect.stringMatching(/^gpt-7-nova is not in the model facts table/),
      },
      {
        profile: 'onboarding_coach',
        overridden: true,
        message:
          "gpt-6.1-sol does not accept reasoning effort 'none' (it accepts low, medium, high, xhigh, max)",
      },
    ]);
  });

  it('tell the model never to invent or guess a name it was not given', () => {
    for (const profile of allProfiles()) {
      expect(profile.instructions).toMatch(/When the name is unknown, do not address them by any name/);
      expect(profile.instructions).toMatch(/never invent, guess or infer one/);
    }
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
