/**
 * AWS AppConfig Data as the SDK sees it over HTTP, for one application / environment /
 * profile: `StartConfigurationSession` (POST /configurationsessions, 201 with the initial
 * token) and `GetLatestConfiguration` (GET /configuration?configuration_token=…). As the
 * service does, each token is good for one call, a poll earlier than the session's minimum
 * interval is refused, and the body is empty while the session already has the deployed
 * version (the client keeps the last one).
 */
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import {
  fakeAwsHttp,
  restJsonError,
  TEST_AWS_CLIENT_CONFIG,
  type AwsHttpReply,
} from '../../support/aws-http-fake';

export const PROFILE = { applicationId: 'app1234', environmentId: 'env5678', profileId: 'prof9012' } as const;

interface Session {
  seenVersion: number;
  minPollSeconds: number;
  lastPollAt?: number;
}

export function fakeAppConfig(now: () => number) {
  let version = 0;
  let content = '';
  let outage: AwsHttpReply | undefined;
  let loseNextPollAnswer = false;
  let nextToken = 1;
  const sessions = new Map<string, Session>();
  const refusals: string[] = [];

  const issueToken = (session: Session) => {
    const token = `token-${nextToken++}`;
    sessions.set(token, session);
    return token;
  };

  const http = fakeAwsHttp((request) => {
    if (outage) return outage;
    if (request.method === 'POST' && request.path === '/configurationsessions') {
      const input = JSON.parse(request.body) as Record<string, unknown>;
      if (
        input.ApplicationIdentifier !== PROFILE.applicationId ||
        input.EnvironmentIdentifier !== PROFILE.environmentId ||
        input.ConfigurationProfileIdentifier !== PROFILE.profileId
      ) {
        return restJsonError(404, 'ResourceNotFoundException', 'Requested resource not found');
      }
      const session = {
        seenVersion: 0,
        minPollSeconds: Number(input.RequiredMinimumPollIntervalInSeconds ?? 60),
      };
      return {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ InitialConfigurationToken: issueToken(session) }),
      };
    }
    if (request.method === 'GET' && request.path === '/configuration') {
      const token = String(request.query.configuration_token ?? '');
      const session = sessions.get(token);
      if (!session) {
        refusals.push('unknown or used token');
        return restJsonError(400, 'BadRequestException', 'Invalid configuration token');
      }
      if (session.lastPollAt !== undefined && now() - session.lastPollAt < session.minPollSeconds * 1000) {
        refusals.push('poll interval not satisfied');
        return restJsonError(400, 'BadRequestException', 'Request too early');
      }
      sessions.delete(token);
      session.lastPollAt = now();
      if (loseNextPollAnswer) {
        // The service used the token up, but its answer never reached the client.
        loseNextPollAnswer = false;
        return restJsonError(503, 'InternalServerException', 'connection reset');
      }
      const changed = session.seenVersion !== version;
      session.seenVersion = version;
      return {
        status: 200,
        headers: {
          'content-type': 'application/json',
          'next-poll-configuration-token': issueToken(session),
          'next-poll-interval-in-seconds': String(session.minPollSeconds),
          ...(changed ? { 'version-label': `v${version}` } : {}),
        },
        body: changed ? content : '',
      };
    }
    return restJsonError(404, 'UnknownOperationException', 'unknown operation');
  });

  return {
    client: new AppConfigDataClient({
      ...TEST_AWS_CLIENT_CONFIG,
      maxAttempts: 1,
      requestHandler: http.requestHandler,
    }),
    /** Deploys a new version of the profile's content (what a finished AppConfig deployment does). */
    deploy(text: string) {
      version += 1;
      content = text;
    },
    /** Answers every call with this error until called with undefined. */
    outage(reply: AwsHttpReply | undefined) {
      outage = reply;
    },
    /** The next poll uses its token up but fails (an answer lost on the way back). */
    loseNextPollAnswer() {
      loseNextPollAnswer = true;
    },
    /** The GetLatestConfiguration calls received. */
    polls: () => http.requests.filter((r) => r.path === '/configuration').length,
    sessionStarts: () => http.requests.filter((r) => r.path === '/configurationsessions'),
    /** Calls the service refused for breaking its rules (never expected from our client). */
    refusals,
  };
}
