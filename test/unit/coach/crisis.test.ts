/** The crisis reply's resources by locale, the operator's table, and the coach's stated limits. */
import { describe, expect, it } from '@jest/globals';
import {
  AI_DISCLOSURE,
  crisisReply,
  crisisResourcesFrom,
  DEFAULT_CRISIS_RESOURCES,
  replacementReply,
  resourcesFor,
  turnLocale,
} from '../../../lambdas/shared/coach/crisis';
import { allProfiles } from '../../../lambdas/shared/coach/profiles';

describe('the locale of a turn', () => {
  it.each([
    ['en-US', undefined, 'en-US'],
    ['en_gb', undefined, 'en-GB'],
    [null, 'fr-CA,fr;q=0.9,en;q=0.5', 'fr-CA'],
    [undefined, 'de', 'de'],
    [undefined, 'zh-Hant-TW', 'zh-TW'],
    ['es-419', undefined, 'es-419'],
    [undefined, '*', null],
    [undefined, undefined, null],
    [undefined, 'not a tag!', null],
  ])('of locale %p and Accept-Language %p is %p', (locale, header, expected) => {
    expect(turnLocale(locale, header)).toBe(expected);
  });
});

describe('the crisis resources', () => {
  it('are found by full tag, then region, then language, then *', () => {
    const { table } = crisisResourcesFrom(
      JSON.stringify({
        'fr-CA': { lines: ['appelez le 988'], emergency: '911', reply: 'Réponse en français' },
        fr: { lines: ['appelez le 3114'], emergency: '112' },
      }),
    );

    expect(crisisReply(resourcesFor(table, 'fr-CA'))).toBe('Réponse en français');
    expect(resourcesFor(table, 'en-US').lines).toEqual(DEFAULT_CRISIS_RESOURCES.US?.lines);
    expect(resourcesFor(table, 'fr-FR').emergency).toBe('112');
    expect(resourcesFor(table, 'ja-JP')).toEqual(DEFAULT_CRISIS_RESOURCES['*']);
    expect(resourcesFor(table, null)).toEqual(DEFAULT_CRISIS_RESOURCES['*']);
  });

  it('name 988 and the emergency number by default, and never present the coach as therapy', () => {
    const us = crisisReply(resourcesFor(DEFAULT_CRISIS_RESOURCES, 'en-US'));
    const anywhere = crisisReply(resourcesFor(DEFAULT_CRISIS_RESOURCES, null));

    expect(us).toContain('call or text 988');
    expect(us).toContain('call 911');
    expect(anywhere).toContain('988');
    expect(anywhere).toContain('your local emergency number');
    for (const text of [
      us,
      anywhere,
      replacementReply(resourcesFor(DEFAULT_CRISIS_RESOURCES, null), false),
      AI_DISCLOSURE,
    ]) {
      expect(text).not.toMatch(/therap/i);
    }
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['an entry without lines', '{"DE": {"emergency": "112"}}', 'DE.lines'],
    ['an unknown field', '{"DE": {"lines": ["x"], "emergency": "112", "url": "x"}}', 'DE'],
  ])('refuse %s as a whole, keeping the built-in table', (_name, json, problem) => {
    const result = crisisResourcesFrom(json);

    expect(result.table).toBe(DEFAULT_CRISIS_RESOURCES);
    expect(result.problem).toContain(problem);
  });
});

describe('every coach profile', () => {
  it('says it is an AI wellness coach, not a therapist or a medical professional, never diagnoses, and points to crisis services', () => {
    for (const profile of allProfiles()) {
      expect(profile.instructions).toContain('AI wellness coach');
      expect(profile.instructions).toContain('not a therapist');
      expect(profile.instructions).toMatch(/not a doctor or any other medical or mental-health professional/);
      expect(profile.instructions).toContain('Never diagnose');
      expect(profile.instructions).toContain('988');
      expect(profile.instructions).toContain('even a subtle or indirect one');
      // "therapist" appears only as what the coach is not.
      expect(profile.instructions.match(/therap\w*/gi)).toEqual(['therapist']);
    }
  });
});
