import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyPluginCallback, onRequestAsyncHookHandler } from 'fastify';
import { RequestContext, type Services } from '../graphql/context';
import { withDeadline } from '../db/deadline';
import { withRequestId } from '../graphql/request-scope';
import { authOf } from './authenticate';
import { sendGraphQLErrors } from './graphql-response';

export interface GraphQLOverHttpOptions {
  apollo: ApolloServer<RequestContext>;
  services: Services;
  path: string;
  /** Runs before the body is read: authentication and rate limits (authenticate.ts). */
  authenticate: onRequestAsyncHookHandler;
  /** Runs first when set: answers a browser's GET with the explorer page (explorer.ts). */
  explorerPage?: onRequestAsyncHookHandler;
}

/**
 * Apollo Server on `path`. Other methods than GET and POST reach it too, so
 * it answers them 405 with an Allow header; CORS preflights (OPTIONS) are
 * answered before, by @fastify/cors.
 */
export const graphqlOverHttp: FastifyPluginCallback<GraphQLOverHttpOptions> = (fastify, options, done) => {
  const { apollo, services } = options;
  // Declared up front so every request object has the same shape.
  fastify.decorateRequest('auth', undefined);
  const handle = fastifyApolloHandler(apollo, {
    context: (request) => Promise.resolve(new RequestContext(services, request.id, authOf(request))),
  });
  fastify.route<{ Reply: string }>({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: options.path,
    onRequest: options.explorerPage ? [options.explorerPage, options.authenticate] : options.authenticate,
    // Every database call made for the request sees its deadline (db/deadline.ts); and whatever else holds it
    // up, the client is answered at the deadline.
    handler: function (request, reply) {
      const deadline = request.deadline ?? Date.now();
      const timer = setTimeout(
        () => {
          if (!reply.sent)
            void sendGraphQLErrors(request, reply.header('Retry-After', '1'), 503, deadlineExceeded(request.id));
        },
        Math.max(0, deadline - Date.now()),
      );
      // The request id scope lets Apollo's formatError name the request (apollo.ts).
      return Promise.resolve(
        withRequestId(request.id, () => withDeadline(deadline, () => handle.call(this, request, reply))),
      ).finally(() => clearTimeout(timer));
    },
  });
  done();
};

function deadlineExceeded(requestId: string) {
  return [
    {
      message: 'The request was not answered within its deadline: retry in 1 s',
      extensions: { code: 'SERVICE_UNAVAILABLE', reason: 'DEADLINE_EXCEEDED', retryAfterSeconds: 1, requestId },
    },
  ];
}
