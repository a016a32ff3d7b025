import type { ApolloServer } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import type { FastifyPluginAsync, onRequestAsyncHookHandler } from 'fastify';
import { RequestContext, type Services } from '../graphql/context';
import { authOf } from './authenticate';

export interface GraphQLOverHttpOptions {
  apollo: ApolloServer<RequestContext>;
  services: Services;
  path: string;
  /** Runs before the body is read: authentication and rate limits (authenticate.ts). */
  authenticate: onRequestAsyncHookHandler;
}

/** Apollo Server on GET and POST `path` (CORS preflights are answered before, by @fastify/cors). */
export const graphqlOverHttp: FastifyPluginAsync<GraphQLOverHttpOptions> = async (fastify, options) => {
  const { apollo, services } = options;
  // Declared up front so every request object has the same shape.
  fastify.decorateRequest('auth', undefined);
  fastify.route({
    method: ['GET', 'POST'],
    url: options.path,
    onRequest: options.authenticate,
    handler: fastifyApolloHandler(apollo, {
      context: async (request) => new RequestContext(services, request.id, authOf(request)),
    }),
  });
};
