/**
 * A fake AWS service at the HTTP boundary: a request handler for a real AWS SDK v3 client,
 * so the SDK still signs, serializes and parses as it would against AWS (and Powertools
 * Parameters, which wants a real client, runs unchanged). The responder answers each
 * request the way the service's wire protocol does; every request is recorded.
 */
import { Readable } from 'node:stream';

/** A request as the SDK sent it. */
export interface AwsHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | readonly string[] | null>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the fake service answers. */
export interface AwsHttpReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export type AwsHttpResponder = (request: AwsHttpRequest) => AwsHttpReply | Promise<AwsHttpReply>;

/** Region and credentials for a test client: signing needs them, nothing checks them. */
export const TEST_AWS_CLIENT_CONFIG = {
  region: 'eu-central-1',
  credentials: { accessKeyId: 'AKIDTESTTESTTEST', secretAccessKey: 'test-secret-access-key' },
} as const;

interface SdkHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string | string[] | null>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  // The SDK may hand over a Uint8Array subclass that warns on string methods: decode the bytes.
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  throw new Error('aws-http-fake: streaming request bodies are not supported');
}

/** A request handler to pass as a client's `requestHandler`, and the requests it received. */
export function fakeAwsHttp(respond: AwsHttpResponder) {
  const requests: AwsHttpRequest[] = [];
  const requestHandler = {
    async handle(request: SdkHttpRequest) {
      const recorded: AwsHttpRequest = {
        method: request.method,
        path: request.path,
        query: request.query ?? {},
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
        body: bodyText(request.body),
      };
      requests.push(recorded);
      const reply = await respond(recorded);
      const body =
        typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : (reply.body ?? new Uint8Array());
      return {
        response: {
          statusCode: reply.status,
          reason: undefined,
          headers: { 'content-length': String(body.byteLength), ...reply.headers },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
  return { requestHandler, requests };
}

/** An error of a REST-JSON service (AppConfig Data): the type in `x-amzn-errortype`, the message in the body. */
export function restJsonError(status: number, type: string, message: string): AwsHttpReply {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ Message: message }),
  };
}

/** An error of an AWS JSON 1.1 service (Secrets Manager): `__type` and `Message` in the body. */
export function awsJsonError(status: number, type: string, message: string): AwsHttpReply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: JSON.stringify({ __type: type, Message: message }),
  };
}
