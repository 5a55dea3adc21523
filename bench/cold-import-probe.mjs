// One cold start of one bundled handler, in the fresh `node` process `bench/bundles.ts` spawns.
// Plain JavaScript so that nothing but Node and the bundle itself is loaded before the clock
// starts. argv[2] is the bundle; the result goes to file descriptor 3 as one JSON line, so
// whatever the handler logs on stdout and stderr stays out of it.
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
const t0 = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const importMs = performance.now() - t0;
if (typeof mod.handler !== 'function') throw new Error(`${bundle} exports no handler`);

// The first fault of a new container: an event whose first property read throws, so the
// error is raised inside the bundle's own code (its frames are the bundle's), then whatever
// the handler does with it (map it, log it with its stack), and the stack the Lambda runtime
// reads of an error that escapes the handler.
const event = new Proxy(
  {},
  {
    get() {
      throw new Error('cold-start probe: this event cannot be read');
    },
  },
);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: 'b3a1f7de-0c6e-4f1e-9f59-5a0c3e7d2a10',
  logGroupName: '/aws/lambda/probe',
  logStreamName: 'probe',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
};
const t1 = performance.now();
try {
  await mod.handler(event, context);
} catch (error) {
  void (error instanceof Error ? error.stack : undefined);
}
const firstErrorMs = performance.now() - t1;

// The AWS SDK clients the bundle imports at first use (argv[3…]): what a first request that
// needs them adds, after the import.
const t2 = performance.now();
for (const specifier of process.argv.slice(3)) await import(specifier);
const deferredMs = performance.now() - t2;

writeSync(3, `${JSON.stringify({ importMs, firstErrorMs, deferredMs })}\n`);
// A handler may leave timers (middy's early-timeout, SDK sockets): the process is done.
process.exit(0);
