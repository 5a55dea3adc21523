import { describe, expect, it } from '@jest/globals';
import { storableText, unstorableText } from '../../../lambdas/shared/contract/text';

describe('text the database can store', () => {
  it('is any well-formed text, emoji included', () => {
    expect(unstorableText('Schlaf 😴, 睡眠, ok')).toBeNull();
  });

  it('excludes NUL and unpaired surrogates', () => {
    expect(unstorableText('a\u0000b')).toMatch(/NUL/);
    expect(unstorableText('\ud83d')).toMatch(/surrogate/);
    expect(unstorableText('\ude42')).toMatch(/surrogate/);
  });

  it('is what a paid-for reply becomes: NUL and lone surrogates replaced, the rest kept', () => {
    expect(storableText('ok\u0000 \ud83d \ud83d\ude42')).toBe('ok\uFFFD \uFFFD \ud83d\ude42');
    expect(unstorableText(storableText('\udc00\u0000\ud800'))).toBeNull();
  });
});
