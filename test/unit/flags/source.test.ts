/**
 * The flags source: a document over the environment defaults, from AppConfig (through
 * Powertools and a real AppConfig Data client against the service's HTTP protocol) or a
 * local file, with the last good document kept when a new one is bad or unreadable.
 */
import { mkdtempSync, rmSync, writeFileSync, renameSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../../lambdas/shared/config';
import { createFlagsSource, type FlagsObserver } from '../../../lambdas/shared/flags';
import { restJsonError } from '../../support/aws-http-fake';
import { fakeAppConfig, PROFILE } from './appconfig-fake';

const BASE_ENV = { DATABASE_URL: 'postgres://localhost/mivia' };

function recordingObserver() {
  const events: Array<{ type: 'applied' | 'rejected' | 'unavailable'; detail: unknown }> = [];
  const observer: FlagsObserver = {
    applied: (e) => events.push({ type: 'applied', detail: e.keys }),
    rejected: (e) => events.push({ type: 'rejected', detail: e.problems }),
    unavailable: (e) => events.push({ type: 'unavailable', detail: e.error }),
  };
  return { observer, events, ofType: (type: string) => events.filter((e) => e.type === type) };
}

function appConfigSetup(env: Record<string, string> = {}) {
  let clock = 1_000_000;
  const service = fakeAppConfig(() => clock);
  const cfg = loadConfig({
    ...BASE_ENV,
    APPCONFIG_APPLICATION_ID: PROFILE.applicationId,
    APPCONFIG_ENVIRONMENT_ID: PROFILE.environmentId,
    APPCONFIG_CONFIGURATION_PROFILE_ID: PROFILE.profileId,
    ...env,
  });
  const recorder = recordingObserver();
  const flags = createFlagsSource(cfg, {
    appConfigClient: service.client,
    now: () => clock,
    observer: recorder.observer,
  });
  return {
    service,
    flags,
    recorder,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

describe('flags from AppConfig', () => {
  it('applies the deployed document over the environment defaults, keeping the keys it does not give', async () => {
    // Prepare
    const { service, flags } = appConfigSetup({ FALLBACK_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '4' });
    service.deploy('{"rollout_percent": 10, "screening_enabled": false}');

    // Act
    const current = await flags.current();

    // Assess
    expect(flags.source).toBe('appconfig');
    expect(current).toMatchObject({
      rollout_percent: 10,
      screening_enabled: false,
      fallback_enabled: false,
      rate_limit_per_minute: 4,
      openai_enabled: true,
    });
  });

  it('opens one session for the configured profile with a 15 s minimum poll interval', async () => {
    const { service, flags, advance } = appConfigSetup();
    service.deploy('{}');

    await flags.current();
    advance(30_000);
    await flags.current();

    const starts = service.sessionStarts();
    expect(starts).toHaveLength(1);
    expect(JSON.parse(starts[0]!.body)).toEqual({
      ApplicationIdentifier: PROFILE.applicationId,
      EnvironmentIdentifier: PROFILE.environmentId,
      ConfigurationProfileIdentifier: PROFILE.profileId,
      RequiredMinimumPollIntervalInSeconds: 15,
    });
    expect(service.polls()).toBe(2);
    expect(service.refusals).toEqual([]);
  });

  it('asks AppConfig again only once FLAGS_MAX_AGE_SECONDS have passed, then sees the new version', async () => {
    // Prepare
    const { service, flags, advance } = appConfigSetup({ FLAGS_MAX_AGE_SECONDS: '20' });
    service.deploy('{"rollout_percent": 10}');
    await flags.current();

    // Act
    service.deploy('{"rollout_percent": 50}');
    advance(19_999);
    const beforeMaxAge = await flags.current();
    advance(1);
    const afterMaxAge = await flags.current();

    // Assess
    expect(beforeMaxAge.rollout_percent).toBe(10);
    expect(afterMaxAge.rollout_percent).toBe(50);
    expect(service.polls()).toBe(2);
    expect(service.refusals).toEqual([]);
  });

  it('keeps the document in force when AppConfig answers "unchanged" with an empty body', async () => {
    const { service, flags, advance, recorder } = appConfigSetup();
    service.deploy('{"openai_enabled": false}');
    await flags.current();

    advance(30_000);
    const current = await flags.current();

    expect(current.openai_enabled).toBe(false);
    expect(service.polls()).toBe(2);
    expect(recorder.ofType('applied')).toHaveLength(1);
  });

  it('shares one AppConfig call between concurrent requests', async () => {
    const { service, flags } = appConfigSetup();
    service.deploy('{"rollout_percent": 25}');

    const all = await Promise.all(Array.from({ length: 5 }, () => flags.current()));

    expect(all.map((f) => f.rollout_percent)).toEqual([25, 25, 25, 25, 25]);
    expect(service.polls()).toBe(1);
  });

  it('keeps the last good document when a document breaking the schema is deployed, and says why without its values', async () => {
    // Prepare
    const { service, flags, advance, recorder } = appConfigSetup();
    service.deploy('{"rollout_percent": 10}');
    await flags.current();

    // Act
    service.deploy('{"rollout_percent": 150, "openai_enabeld": false}');
    advance(30_000);
    const current = await flags.current();

    // Assess
    expect(current.rollout_percent).toBe(10);
    const rejected = recorder.ofType('rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.detail).toEqual([
      expect.stringContaining('rollout_percent must be at most 100'),
      expect.stringContaining('unknown key(s): openai_enabeld'),
    ]);
    expect(JSON.stringify(rejected[0]!.detail)).not.toContain('150');
  });

  it('keeps the last good document when the deployed text is not JSON, without quoting it', async () => {
    const { service, flags, advance, recorder } = appConfigSetup();
    service.deploy('{"rollout_percent": 10}');
    await flags.current();

    service.deploy('{"rollout_percent": 0, secret-looking-text');
    advance(30_000);
    const current = await flags.current();

    expect(current.rollout_percent).toBe(10);
    expect(recorder.ofType('rejected').map((e) => e.detail)).toEqual([['the document is not valid JSON']]);
  });

  it('uses the environment defaults when AppConfig cannot be reached at cold start', async () => {
    const { service, flags, recorder } = appConfigSetup({ OPENAI_ROLLOUT_PERCENT: '30' });
    service.deploy('{"rollout_percent": 10}');
    service.outage(restJsonError(500, 'InternalServerException', 'internal error'));

    const current = await flags.current();

    expect(current.rollout_percent).toBe(30);
    expect(recorder.ofType('unavailable')).toHaveLength(1);
  });

  it('keeps the last good flags through an AppConfig outage, reports it once, and recovers', async () => {
    // Prepare
    const { service, flags, advance, recorder } = appConfigSetup();
    service.deploy('{"openai_enabled": false}');
    await flags.current();

    // Act
    service.outage(restJsonError(429, 'ThrottlingException', 'Rate exceeded'));
    advance(30_000);
    const duringFirst = await flags.current();
    advance(30_000);
    const duringSecond = await flags.current();
    service.outage(undefined);
    service.deploy('{"openai_enabled": true}');
    advance(30_000);
    const after = await flags.current();

    // Assess
    expect([duringFirst.openai_enabled, duringSecond.openai_enabled, after.openai_enabled]).toEqual([
      false,
      false,
      true,
    ]);
    expect(recorder.ofType('unavailable')).toHaveLength(1);
  });
  it('opens a new session after a poll whose answer was lost, instead of resending a used-up token', async () => {
    // Prepare
    const { service, flags, advance } = appConfigSetup();
    service.deploy('{"rollout_percent": 10}');
    await flags.current();

    // Act
    service.loseNextPollAnswer();
    advance(30_000);
    const duringLoss = await flags.current();
    service.deploy('{"openai_enabled": false}');
    advance(30_000);
    const after = await flags.current();

    // Assess
    expect(duringLoss.rollout_percent).toBe(10);
    expect(after).toMatchObject({ openai_enabled: false, rollout_percent: 100 });
    expect(service.sessionStarts()).toHaveLength(2);
    expect(service.refusals).toEqual([]);
  });
});

describe('flags from a local file (AI_FLAGS_FILE)', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mivia-flags-'));
    file = path.join(dir, 'flags.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fileSetup(env: Record<string, string> = {}) {
    const recorder = recordingObserver();
    const flags = createFlagsSource(loadConfig({ ...BASE_ENV, AI_FLAGS_FILE: file, ...env }), {
      observer: recorder.observer,
    });
    return { flags, recorder };
  }

  it('switches the flags on the next call after the file changes, without a restart', async () => {
    // Prepare
    writeFileSync(file, '{"openai_enabled": true, "rollout_percent": 100}');
    const { flags } = fileSetup();
    const before = await flags.current();

    // Act
    writeFileSync(file, '{"openai_enabled": false}');
    const after = await flags.current();

    // Assess
    expect(flags.source).toBe('file');
    expect(before).toMatchObject({ openai_enabled: true, rollout_percent: 100 });
    expect(after).toMatchObject({ openai_enabled: false, rollout_percent: 100 });
  });

  it('picks up an editor-style save (write a temporary file, rename it over the old one)', async () => {
    writeFileSync(file, '{"rollout_percent": 10}');
    const { flags } = fileSetup();
    await flags.current();

    writeFileSync(`${file}.tmp`, '{"rollout_percent": 60}');
    renameSync(`${file}.tmp`, file);

    expect((await flags.current()).rollout_percent).toBe(60);
  });

  it('keeps the last good flags while the file is half written, empty or gone, and reports each state once', async () => {
    // Prepare
    writeFileSync(file, '{"openai_enabled": false}');
    const { flags, recorder } = fileSetup();
    await flags.current();

    // Act
    writeFileSync(file, '{"openai_enabled": tr');
    const halfWritten = [await flags.current(), await flags.current()];
    writeFileSync(file, '');
    const empty = await flags.current();
    unlinkSync(file);
    const gone = [await flags.current(), await flags.current()];

    // Assess
    expect([...halfWritten, empty, ...gone].map((f) => f.openai_enabled)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(recorder.ofType('rejected').map((e) => e.detail)).toEqual([
      ['the document is not valid JSON'],
      ['the document is empty'],
    ]);
    expect(recorder.ofType('unavailable')).toHaveLength(1);
  });

  it('uses the environment defaults until the file exists, then applies it', async () => {
    const { flags } = fileSetup({ OPENAI_ENABLED: 'false' });
    const before = await flags.current();

    writeFileSync(file, '{"openai_enabled": true}');
    const after = await flags.current();

    expect([before.openai_enabled, after.openai_enabled]).toEqual([false, true]);
  });

  it('refuses a document with a value of the wrong type and keeps the previous one', async () => {
    writeFileSync(file, '{"fallback_enabled": false}');
    const { flags, recorder } = fileSetup();
    await flags.current();

    writeFileSync(file, '{"fallback_enabled": "no"}');
    const current = await flags.current();

    expect(current.fallback_enabled).toBe(false);
    expect(recorder.ofType('rejected').map((e) => e.detail)).toEqual([
      [expect.stringContaining('fallback_enabled must be true or false')],
    ]);
  });
});

describe('flags without AppConfig or a file', () => {
  it('are the environment defaults', async () => {
    const cfg = loadConfig({ ...BASE_ENV, OPENAI_ENABLED: '0', DISCLOSURE_IN_RESPONSE: 'true' });

    const flags = createFlagsSource(cfg);

    expect(flags.source).toBe('environment');
    expect(await flags.current()).toEqual(cfg.flagDefaults);
    expect(await flags.current()).toMatchObject({ openai_enabled: false, disclosure_in_response: true });
  });
});

describe('choosing the flags source', () => {
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig({ ...BASE_ENV, ...env });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('refuses an AppConfig profile given by only some of its ids', () => {
    expect(problemsOf({ APPCONFIG_APPLICATION_ID: 'app', APPCONFIG_ENVIRONMENT_ID: 'env' })).toEqual([
      expect.stringContaining(
        'are set together or not at all (set: APPCONFIG_APPLICATION_ID, APPCONFIG_ENVIRONMENT_ID)',
      ),
    ]);
  });

  it('refuses both AppConfig and a local file, rather than silently preferring one', () => {
    expect(
      problemsOf({
        AI_FLAGS_FILE: '/tmp/flags.json',
        APPCONFIG_APPLICATION_ID: 'app',
        APPCONFIG_ENVIRONMENT_ID: 'env',
        APPCONFIG_CONFIGURATION_PROFILE_ID: 'profile',
      }),
    ).toEqual(['AI_FLAGS_FILE and APPCONFIG_* both name a flags source: set one']);
  });

  it('keeps the AppConfig cache between 15 and 60 seconds', () => {
    expect(problemsOf({ FLAGS_MAX_AGE_SECONDS: '5' })).toEqual(['FLAGS_MAX_AGE_SECONDS must be at least 15']);
    expect(problemsOf({ FLAGS_MAX_AGE_SECONDS: '61' })).toEqual(['FLAGS_MAX_AGE_SECONDS must be at most 60']);
    expect(loadConfig(BASE_ENV).flagsMaxAgeSeconds).toBe(30);
  });
});
