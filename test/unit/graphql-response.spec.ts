import { APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, graphqlMediaType } from '../../src/http/graphql-response';

describe('the media type of answers written outside Apollo', () => {
  it.each([
    [undefined, APPLICATION_JSON],
    ['', APPLICATION_JSON],
    ['*/*', APPLICATION_JSON],
    ['application/json', APPLICATION_JSON],
    ['application/graphql-response+json', GRAPHQL_RESPONSE_JSON],
    // Apollo Client 4's HttpLink.
    ['application/graphql-response+json,application/json;q=0.9', GRAPHQL_RESPONSE_JSON],
    // Equal weights: the client's order decides, as in Apollo's own negotiation.
    ['application/json, application/graphql-response+json', APPLICATION_JSON],
    ['application/graphql-response+json;q=0.5, application/json', APPLICATION_JSON],
    // Neither accepted: still JSON (an error answer is sent, not a 406).
    ['text/html', APPLICATION_JSON],
    [['application/graphql-response+json', 'application/json'], GRAPHQL_RESPONSE_JSON],
  ])('Accept %p → %s', (accept, expected) => {
    expect(graphqlMediaType(accept)).toBe(expected);
  });
});
