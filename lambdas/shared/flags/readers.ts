/**
 * Where a flags document comes from: an AWS AppConfig profile (read with Powertools
 * Parameters' AppConfig provider) or a local JSON file. A reader only fetches the text;
 * caching, validation and the last-good rule are the source's (./source.ts), so both places
 * behave the same.
 */
import { readFile } from 'node:fs/promises';
import { AppConfigProvider } from '@aws-lambda-powertools/parameters/appconfig';
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';

/** Where flags can be read from. */
export type FlagsDocumentSource = 'appconfig' | 'file';

/** Fetches the current text of a flags document. */
export interface FlagsDocumentReader {
  readonly source: FlagsDocumentSource;
  /**
   * The document's text, or undefined when the source holds none yet (an AppConfig profile
   * never deployed). Throws when the source cannot be read (network, permissions, no file).
   */
  read(): Promise<string | undefined>;
}

/** The AppConfig profile the flags document is deployed to (ids as the stack outputs them). */
export interface AppConfigFlagsProfile {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly profileId: string;
}

/** AppConfig refuses polls of one session closer together than the session's minimum; 15 s is the lowest it takes. */
export const APPCONFIG_MIN_POLL_SECONDS = 15;

/**
 * The AppConfig Data client of a Lambda container: short timeouts and no retry, because a
 * flags read runs inside a request and a slow AppConfig must not hold it (at worst about
 * 2.5 s, once per max age); the last good flags stay in force and the next read is at most
 * FLAGS_MAX_AGE_SECONDS away.
 */
function defaultAppConfigClient(): AppConfigDataClient {
  return new AppConfigDataClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_500 },
  });
}

/**
 * Reads the profile with Powertools' AppConfig provider. The provider keeps the session
 * token (one StartConfigurationSession, then GetLatestConfiguration with each next-poll
 * token) and the last configuration, which AppConfig answers with an empty body while it
 * is unchanged. Its own cache is bypassed: the source decides when to ask again, with a
 * clock tests can move. After a failed read the session is dropped, because a poll whose
 * answer was lost may have used up the token the provider would send again (AppConfig then
 * refuses it until it expires, a day later); the next read opens a new session.
 */
export function appConfigDocumentReader(
  profile: AppConfigFlagsProfile,
  client: AppConfigDataClient = defaultAppConfigClient(),
): FlagsDocumentReader {
  const newProvider = () =>
    new AppConfigProvider({
      application: profile.applicationId,
      environment: profile.environmentId,
      awsSdkV3Client: client,
    });
  let provider = newProvider();
  const decoder = new TextDecoder('utf-8');
  return {
    source: 'appconfig',
    async read() {
      let bytes: Uint8Array | undefined;
      try {
        bytes = await provider.get(profile.profileId, {
          forceFetch: true,
          maxAge: 0,
          sdkOptions: { RequiredMinimumPollIntervalInSeconds: APPCONFIG_MIN_POLL_SECONDS },
        });
      } catch (error) {
        provider = newProvider();
        throw error;
      }
      return bytes === undefined ? undefined : decoder.decode(bytes);
    },
  };
}

/**
 * Reads a local JSON file on every call: a small read, and no watcher that would keep the
 * process alive or miss an editor's rename-over-save.
 */
export function fileDocumentReader(path: string): FlagsDocumentReader {
  return {
    source: 'file',
    read: () => readFile(path, 'utf8'),
  };
}
