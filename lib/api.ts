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
import {
  ERROR_CODES,
  type ErrorCode,
  type ErrorSpec,
  type GatewayResponseType,
} from '../lambdas/shared/contract/errors';
import {
  FUNCTION_TIMEOUT_SECONDS,
  FUNCTIONS_BASE_PATH,
  ROUTE_LIST,
  type Route,
  type RouteFunction,
} from '../lambdas/shared/contract/routes';

/** The handlers of the routes, by the contract's function names, plus the authorizer. */
export type CoachApiHandlers = Readonly<Record<RouteFunction, lambda.IFunction>> & {
  readonly authorizer: lambda.IFunction;
};

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

/**
 * The errors API Gateway itself answers, from the contract's error table, in the handlers'
 * shape: `{ error, code, request_id }` (+ `retry_after_seconds` where the gateway sets
 * `Retry-After`), with the request id in an `X-Request-Id` header too.
 */
function gatewayErrors(): ReadonlyArray<{
  readonly type: GatewayResponseType;
  readonly code: ErrorCode;
  readonly spec: ErrorSpec;
}> {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).flatMap((code) => {
    const spec: ErrorSpec = ERROR_CODES[code];
    return (spec.gateway ?? []).map((type) => ({ type, code, spec }));
  });
}

/** `DEFAULT_4XX` → `Default4xx`: the construct id of a gateway response. */
function gatewayResponseId(type: GatewayResponseType): string {
  return type
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** The `Default4xx` and `Default5xx` responses keep the status API Gateway chose. */
const KEEPS_ITS_STATUS: ReadonlySet<GatewayResponseType> = new Set(['DEFAULT_4XX', 'DEFAULT_5XX']);

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

    for (const { type, code, spec } of gatewayErrors()) {
      const retryAfter = spec.gatewayRetryAfterSeconds;
      this.api.addGatewayResponse(gatewayResponseId(type), {
        type: apigw.ResponseType.of(type),
        statusCode: KEEPS_ITS_STATUS.has(type) ? undefined : String(spec.status),
        responseHeaders: {
          'Content-Type': "'application/json'",
          'X-Request-Id': 'context.requestId',
          ...(retryAfter === undefined ? {} : { 'Retry-After': `'${retryAfter}'` }),
        },
        templates: {
          'application/json': JSON.stringify({
            error: spec.message,
            code,
            request_id: '$context.requestId',
            ...(retryAfter === undefined ? {} : { retry_after_seconds: retryAfter }),
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

    // A streamed route's function writes its answer as it goes (Lambda response streaming): API
    // Gateway passes it on as it arrives, for as long as the function may run (beyond 29 s
    // needs no quota increase in STREAM mode).
    const integration = (route: Route) =>
      new apigw.LambdaIntegration(handlers[route.function], {
        proxy: true,
        allowTestInvoke: false,
        ...(route.streams
          ? {
              responseTransferMode: apigw.ResponseTransferMode.STREAM,
              timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS[route.function]),
            }
          : {}),
      });
    const resources = new Map<string, apigw.IResource>([['', this.api.root]]);
    const resourceAt = (path: string): apigw.IResource => {
      const found = resources.get(path);
      if (found) return found;
      const cut = path.lastIndexOf('/');
      const resource = resourceAt(path.slice(0, cut)).addResource(path.slice(cut + 1));
      resources.set(path, resource);
      return resource;
    };

    const methods: Record<string, apigw.Method> = {};
    for (const route of ROUTE_LIST) {
      const options: apigw.MethodOptions = route.auth
        ? {
            authorizer: this.authorizer,
            authorizationType: apigw.AuthorizationType.CUSTOM,
            requestValidator: validator,
            ...this.requestChecks(route),
          }
        : // The contract document is public: it holds no user data and the app's tooling fetches it.
          { authorizationType: apigw.AuthorizationType.NONE };
      const method = route.method.toUpperCase();
      methods[`${method} ${route.path}`] = resourceAt(route.path).addMethod(
        method,
        integration(route),
        options,
      );
    }
    this.methods = methods;

    this.acknowledgeFindings();

    // `api.url` ends with '/', the contract's base path starts with one.
    this.functionsBaseUrl = `${this.api.url}${FUNCTIONS_BASE_PATH.slice(1)}`;
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

  /**
   * API Gateway's first line of defence, before the handler validates precisely with zod (and
   * answers 413 above MAX_BODY_BYTES): the declared path parameters, and a body model that
   * refuses what can never be valid (not a JSON object, a required key missing, a string
   * longer than the largest accepted body). Routes whose body is optional get no model: API
   * Gateway would refuse an empty body against an object model.
   */
  private requestChecks(route: Route): Pick<apigw.MethodOptions, 'requestModels' | 'requestParameters'> {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const requestParameters =
      params.length > 0
        ? Object.fromEntries(params.map((p) => [`method.request.path.${p}`, true]))
        : undefined;
    const model = route.requestBody?.gatewayModel;
    if (!route.requestBody || !model) return requestParameters ? { requestParameters } : {};
    const id = String(route.requestBody.schema.meta()?.id ?? route.operationId);
    const strings = Object.entries(model.strings ?? {});
    // Routes that take the same body (the chat and its stream) share its model.
    const requestModel =
      (this.api.node.tryFindChild(id) as apigw.Model | undefined) ??
      this.api.addModel(id, {
        contentType: 'application/json',
        description: `A JSON object (${id}); exact validation happens in the handler`,
        schema: {
          schema: apigw.JsonSchemaVersion.DRAFT4,
          type: apigw.JsonSchemaType.OBJECT,
          maxProperties: 16,
          ...(model.required ? { required: [...model.required] } : {}),
          ...(strings.length > 0
            ? {
                properties: Object.fromEntries(
                  strings.map(([key, bounds]) => [key, { type: apigw.JsonSchemaType.STRING, ...bounds }]),
                ),
              }
            : {}),
        },
      });
    return {
      requestModels: { 'application/json': requestModel },
      ...(requestParameters ? { requestParameters } : {}),
    };
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
      if (!ROUTE_LIST.find((r) => `${r.method.toUpperCase()} ${r.path}` === route)?.auth) {
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
