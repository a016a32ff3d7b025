'use strict';
/**
 * The HTTP floor under `{ __typename }`: the same answer served by the layers
 * the API stacks up, one more per step (HTTP_FLOOR_STEP), in its own process:
 *
 *   node     node:http alone: read the body, JSON.parse it, write the answer
 *   express  + Express 5 (application, router, its req/res prototypes)
 *   json     + express.json() (body-parser), as the API parses bodies
 *   headers  + helmet() and cors(), as the API configures them
 *   apollo   + Apollo Server 5 through @as-integrations/express5 on a one-field
 *            graphql-js schema, with the API's Apollo options (no cache
 *            control, no landing page)
 *
 * What the API adds after `apollo` (type-graphql's schema, API key
 * authentication, request ids, query limits) is the difference to its own
 * trivial query, measured in the same run. Plain JavaScript, like the server
 * it stands beside.
 */
const http = require('node:http');

const STEPS = ['node', 'express', 'json', 'headers', 'apollo'];
const step = process.env.HTTP_FLOOR_STEP;
if (!STEPS.includes(step)) throw new Error(`HTTP_FLOOR_STEP must be one of ${STEPS.join(', ')}`);
const depth = STEPS.indexOf(step);
const ANSWER = JSON.stringify({ data: { __typename: 'Query' } });

function answer(res) {
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(ANSWER);
}

/** Below the `json` step: read and parse the body by hand, so every step does that work. */
function readThenAnswer(req, res) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    JSON.parse(body);
    answer(res);
  });
}

async function handler() {
  if (step === 'node') return readThenAnswer;
  const express = require('express');
  const app = express();
  // As the API sets them (src/server.ts).
  app.disable('x-powered-by');
  app.set('etag', false);
  if (depth >= STEPS.indexOf('headers')) {
    app.use(require('helmet')());
    app.use(
      require('cors')({
        origin: '*',
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Apollo-Require-Preflight'],
        exposedHeaders: ['X-Request-Id', 'Retry-After'],
        maxAge: 600,
      }),
    );
  }
  const parse = depth >= STEPS.indexOf('json') ? [express.json({ limit: '1mb' })] : [];
  if (step !== 'apollo') {
    app.post('/graphql', ...parse, parse.length > 0 ? (_req, res) => answer(res) : readThenAnswer);
    return app;
  }
  const { ApolloServer } = require('@apollo/server');
  const { expressMiddleware } = require('@as-integrations/express5');
  const {
    ApolloServerPluginCacheControlDisabled,
    ApolloServerPluginLandingPageDisabled,
  } = require('@apollo/server/plugin/disabled');
  const { buildSchema } = require('graphql');
  const apollo = new ApolloServer({
    schema: buildSchema('type Query { ok: Boolean }'),
    includeStacktraceInErrorResponses: false,
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  app.use('/graphql', ...parse, expressMiddleware(apollo, { context: async () => ({}) }));
  return app;
}

handler().then((handle) => {
  const server = http.createServer(handle);
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port, step })));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
});
