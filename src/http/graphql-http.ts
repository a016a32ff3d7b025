import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyPluginCallback, onRequestAsyncHookHandler } from 'fastify';
import { RequestContext, type Services } from '../graphql/context';
import { authOf } from './authenticate';

export interface GraphQLOverHttpOptions {
  apollo: ApolloServer<RequestContext>;
  services: Services;
  path: string;
  /** Runs before the body is read: authentication and rate limits (authenticate.ts). */
  authenticate: onRequestAsyncHookHandler;
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
  fastify.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: options.path,
    onRequest: options.authenticate,
    handler: fastifyApolloHandler(apollo, {
      context: (request) => Promise.resolve(new RequestContext(services, request.id, authOf(request))),
    }),
  });
  done();
};
