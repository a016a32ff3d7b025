import { performance } from 'node:perf_hooks';

/** One GraphQL request over HTTP; throws on GraphQL errors so a scenario never times a failure. Returns the data and the round trip in ms. */
export async function gql<T = unknown>(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data: T; ms: number }> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  const ms = performance.now() - started;
  if (body.errors?.length || !body.data)
    throw new Error(`GraphQL request failed (HTTP ${res.status}): ${JSON.stringify(body.errors ?? body)}`);
  return { data: body.data, ms };
}
