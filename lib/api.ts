/**
 * `CoachApi`: the REST API the Swift app calls. Paths mirror the Supabase function names
 * (`/functions/v1/<name>`) so the app's functions client only changes its base URL.
 *
 * No CORS: the only client is the native iOS app, which is not subject to the same-origin
 * policy; adding CORS would only widen what a browser page could call.
 */
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MAX_BODY_BYTES } from '../lambdas/shared/api-schemas';

/** The app's base path: Supabase's functions client calls `<base>/functions/v1/<name>`. */
export const FUNCTIONS_BASE_PATH = 'functions/v1';

export interface CoachApiHandlers {
  readonly chat: lambda.IFunction;
  readonly runs: lambda.IFunction;
  readonly threads: lambda.IFunction;
  readonly context: lambda.IFunction;
  readonly feedback: lambda.IFunction;
  readonly openapi: lambda.IFunction;
  readonly authorizer: lambda.IFunction;
}

export interface CoachApiProps {
  /** Also the API Gateway stage name (it appears in the URL). */
  readonly stage: string;
  /** Shown in the console and used as the `ApiName` metric dimension. */
  readonly apiName: string;
  readonly handlers: CoachApiHandlers;
  /** Steady-state requests per second for the whole stage. */
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetention: logs.RetentionDays;
  /** How long an authorizer decision is cached per token. @default 300 s */
  readonly authorizerCacheTtl?: Duration;
  /**
   * Create the account-level role API Gateway needs to write logs. It is one setting per
   * account and region: turn this off when another stack already manages it.
   */
  readonly manageCloudWatchRole: boolean;
}

/** The errors API Gateway itself answers, in the handlers' shape: `{ error, code, request_id }`. */
const GATEWAY_ERRORS: ReadonlyArray<{
  readonly id: string;
  readonly type: apigw.ResponseType;
  readonly status?: string;
  readonly code: string;
  readonly error: string;
  readonly headers?: Readonly<Record<string, string>>;
}> = [
  {
    id: 'Unauthorized',
    type: apigw.ResponseType.UNAUTHORIZED,
    status: '401',
    code: 'unauthorized',
    error: 'Missing or invalid access token.',
  },
  {
    id: 'AccessDenied',
    type: apigw.ResponseType.ACCESS_DENIED,
    status: '403',
    code: 'forbidden',
    error: 'Access denied.',
  },
  // REST APIs answer unknown paths and methods with "missing authentication token" (403).
  {
    id: 'UnknownRoute',
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: '404',
    code: 'not_found',
    error: 'No such route.',
  },
  {
    id: 'BadBody',
    type: apigw.ResponseType.BAD_REQUEST_BODY,
    status: '400',
    code: 'invalid_request',
    error: 'The request body is not a valid JSON object for this route.',
  },
  {
    id: 'BadParameters',
    type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
    status: '400',
    code: 'invalid_request',
    error: 'The request parameters are not valid.',
  },
  {
    id: 'UnsupportedMediaType',
    type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE,
    status: '415',
    code: 'unsupported_media_type',
    error: 'Send JSON (Content-Type: application/json).',
  },
  {
    id: 'TooLarge',
    type: apigw.ResponseType.REQUEST_TOO_LARGE,
    status: '413',
    code: 'payload_too_large',
    error: 'The request body is too large.',
  },
  {
    id: 'Throttled',
    type: apigw.ResponseType.THROTTLED,
    status: '429',
    code: 'rate_limited',
    error: 'Too many requests; try again shortly.',
    headers: { 'Retry-After': "'1'" },
  },
  {
    id: 'IntegrationTimeout',
    type: apigw.ResponseType.INTEGRATION_TIMEOUT,
    status: '504',
    code: 'timeout',
    error: 'The request took too long; try again.',
  },
  {
    id: 'AuthorizerFailure',
    type: apigw.ResponseType.AUTHORIZER_FAILURE,
    status: '503',
    code: 'auth_unavailable',
    error: 'Sign-in verification is unavailable; try again shortly.',
    headers: { 'Retry-After': "'5'" },
  },
  {
    id: 'Default4xx',
    type: apigw.ResponseType.DEFAULT_4XX,
    code: 'bad_request',
    error: 'The request was refused.',
  },
  {
    id: 'Default5xx',
    type: apigw.ResponseType.DEFAULT_5XX,
    code: 'internal_error',
    error: 'Something went wrong on our side; try again.',
  },
];

export class CoachApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogGroup: logs.LogGroup;
  readonly authorizer: apigw.TokenAuthorizer;
  /** The URL the app's Supabase functions client should use: `<stage URL>functions/v1`. */
  readonly functionsBaseUrl: string;
  /** Every method, for checks and suppressions. */
  readonly methods: { readonly [route: string]: apigw.Method };

  constructor(scope: Construct, id: string, props: CoachApiProps) {
    super(scope, id);
    const { handlers } = props;

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });

    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: 'MiVia AI coach: the API the iOS app calls',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      cloudWatchRole: props.manageCloudWatchRole,
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // Execution logs: errors only. Data trace stays off: it would log request and response bodies.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        // Who called what and how it went: never a body, a header or a token.
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            ip: apigw.AccessLogField.contextIdentitySourceIp(),
            caller: apigw.AccessLogField.contextIdentityCaller(),
            user: apigw.AccessLogField.contextAuthorizerPrincipalId(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            protocol: apigw.AccessLogField.contextProtocol(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            errorMessage: apigw.AccessLogField.contextErrorMessage(),
          }),
        ),
      },
    });

    for (const e of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(e.id, {
        type: e.type,
        statusCode: e.status,
        responseHeaders: { 'Content-Type': "'application/json'", ...e.headers },
        templates: {
          'application/json': JSON.stringify({
            error: e.error,
            code: e.code,
            request_id: '$context.requestId',
          }),
        },
      });
    }

    // Verifies the Supabase access token; its IAM policy covers the whole stage, so one
    // cached decision serves every route for the token's cache lifetime.
    this.authorizer = new apigw.TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: handlers.authorizer,
      identitySource: apigw.IdentitySource.header('Authorization'),
      // Obviously malformed headers are refused (401) without invoking the authorizer.
      validationRegex: '^[Bb]earer [-_.A-Za-z0-9]+$',
      resultsCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(300),
    });

    // One validator for every authorized route: the body against the route's model (POST) and
    // the declared parameters (the run id of GET .../runs/{run_id}).
    const validator = new apigw.RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    // A first line of defence only: the handlers validate precisely with the zod schemas (and
    // answer 413 above MAX_BODY_BYTES). These models refuse what can never be valid: a body
    // that is not a JSON object, or a string longer than the largest accepted body.
    const objectModel = (id: string, extra: Omit<apigw.JsonSchema, 'schema' | 'type'> = {}) =>
      this.api.addModel(id, {
        contentType: 'application/json',
        description: `A JSON object (${id}); exact validation happens in the handler`,
        schema: {
          schema: apigw.JsonSchemaVersion.DRAFT4,
          type: apigw.JsonSchemaType.OBJECT,
          maxProperties: 16,
          ...extra,
        },
      });
    const boundedString = { type: apigw.JsonSchemaType.STRING, maxLength: MAX_BODY_BYTES };
    const models = {
      chat: objectModel('ChatRequest', {
        required: ['message'],
        properties: { message: { ...boundedString, minLength: 1 } },
      }),
      threads: objectModel('ThreadManagerRequest', {
        required: ['action'],
        properties: { action: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 64 } },
      }),
      feedback: objectModel('FeedbackRequest'),
    };

    const integration = (fn: lambda.IFunction) =>
      new apigw.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false });
    const authorized = {
      authorizer: this.authorizer,
      authorizationType: apigw.AuthorizationType.CUSTOM,
      requestValidator: validator,
    };
    const withBody = (model: apigw.IModel): apigw.MethodOptions => ({
      ...authorized,
      requestModels: { 'application/json': model },
    });

    const functions = this.api.root.addResource('functions').addResource('v1');
    const chat = functions.addResource('openai-chat-completion');
    const run = chat.addResource('runs').addResource('{run_id}');

    this.methods = {
      'POST /functions/v1/openai-chat-completion': chat.addMethod(
        'POST',
        integration(handlers.chat),
        withBody(models.chat),
      ),
      'GET /functions/v1/openai-chat-completion/runs/{run_id}': run.addMethod(
        'GET',
        integration(handlers.runs),
        {
          ...authorized,
          requestParameters: { 'method.request.path.run_id': true },
        },
      ),
      'POST /functions/v1/thread-manager': functions
        .addResource('thread-manager')
        .addMethod('POST', integration(handlers.threads), withBody(models.threads)),
      'POST /functions/v1/user-context-builder': functions
        .addResource('user-context-builder')
        // No body model: the body is optional here (the handler reads a missing body as {}),
        // and API Gateway would refuse an empty body against an object model.
        .addMethod('POST', integration(handlers.context), authorized),
      'POST /functions/v1/chat-feedback': functions
        .addResource('chat-feedback')
        .addMethod('POST', integration(handlers.feedback), withBody(models.feedback)),
      // The contract document is public: it holds no user data and the app's tooling fetches it.
      'GET /functions/v1/openapi.json': functions
        .addResource('openapi.json')
        .addMethod('GET', integration(handlers.openapi), { authorizationType: apigw.AuthorizationType.NONE }),
    };

    this.acknowledgeFindings();

    this.functionsBaseUrl = `${this.api.url}${FUNCTIONS_BASE_PATH}`;
    new CfnOutput(this, 'ApiUrl', {
      key: 'ApiUrl',
      description: 'The API stage URL (ends with /)',
      value: this.api.url,
    });
    new CfnOutput(this, 'FunctionsBaseUrl', {
      key: 'FunctionsBaseUrl',
      description: "The app's Supabase functions client base URL: <ApiUrl>functions/v1",
      value: this.functionsBaseUrl,
    });
  }

  /** The cdk-nag findings this API accepts, each with its reason. */
  private acknowledgeFindings(): void {
    for (const [route, method] of Object.entries(this.methods)) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Users sign in with Supabase Auth, not Cognito: the TOKEN Lambda authorizer verifies the Supabase ' +
          'access token (JWKS or HS256, issuer, audience, expiry) on every route but the OpenAPI document.',
      });
      if (route === 'GET /functions/v1/openapi.json') {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Public, unauthenticated by design: the API contract document contains no user data and is ' +
            'fetched by client tooling before any sign-in. Stage throttling still applies.',
        });
      }
    }
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'WAF is planned, not yet enabled: a web ACL costs about 5 USD/month plus 1 USD per rule and per ' +
        'million requests, while every route but a static document already needs a verified token, ' +
        'bodies are validated, and the stage is throttled. Add a WAFv2 ACL with the AWS managed common ' +
        'rule set and a rate-based rule when traffic or abuse warrants it (docs/deploy.md).',
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The account's API Gateway logging role (one per account and region, needed for access and " +
          'execution logs). AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for it and is ' +
          'assumable only by apigateway.amazonaws.com.',
      });
    }
  }
}
