import { describe, expect, it } from '@jest/globals';
import { storableText, unstorableText, unstorableTextIn } from '../../../lambdas/shared/contract/text';

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

  it('finds every unstorable string and key of a JSON value, in document order', () => {
    const value = JSON.parse('{"a":["ok","\\u0000"],"b\\ud800":{"c":"\\udc00"},"d":1}') as unknown;

    expect(unstorableTextIn(value).map((issue) => issue.path)).toEqual(['a[1]', 'b\ud800', 'b\ud800.c']);
  });

  it('walks a value nested deeper than the call stack (a 32 KiB body of brackets)', () => {
    const depth = 16_000;
    const value = JSON.parse(`${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)}`) as unknown;

    const issues = unstorableTextIn(value);

    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('[0]'.repeat(depth));
  });
});
