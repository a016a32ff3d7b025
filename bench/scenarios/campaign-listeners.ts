import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CAMPAIGN_RUNS, LISTENERS, RUN_ID } from '../lib/config';
import { gql } from '../lib/graphql';
import { openListeners } from '../lib/listeners';
import { percentile } from '../lib/measure';
import { startRawFanout } from '../lib/raw-fanout';
import { RECORD, recordInput } from '../lib/recording';
import type { Scenario } from '../lib/scenario';

const CAMPAIGN_RUN_INTERVAL_MS = 100;
const CREATE_CAMPAIGN = 'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }';
const ACTIVATE_CAMPAIGN = 'mutation($id: ID!) { activateCampaign(id: $id) { id active } }';
const CAMPAIGN_TRIGGERED = `subscription($campaignId: ID!) { campaignTriggered(campaignId: $campaignId) {
  id cursor triggeredAt campaign { id name } person { id score } activity { id type ... on GoalAchievedActivity { goal } } steps { position action outcome } } }`;

type Fire = () => Promise<{ activityId: string; ms: number }>;

const latencyStats = (values: number[]) => ({
  p50Ms: percentile(values, 0.5),
  p99Ms: percentile(values, 0.99),
  maxMs: Math.max(...values),
});

/** `runs` triggers, one every CAMPAIGN_RUN_INTERVAL_MS, as a steady trickle rather than a burst; when each was sent, by activity id. */
async function paced(runs: number, fire: Fire, rss: () => number) {
  const sentAt = new Map<string, number>();
  const mutationMs: number[] = [];
  let rssPeak = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i += 1) {
    await sleep(Math.max(0, started + i * CAMPAIGN_RUN_INTERVAL_MS - performance.now()));
    const before = performance.now();
    const { activityId, ms } = await fire();
    sentAt.set(activityId, before);
    mutationMs.push(ms);
    rssPeak = Math.max(rssPeak, rss());
  }
  return { sentAt, mutationMs, rssPeak };
}

/**
 * LISTENERS graphql-ws clients subscribed to the campaign on `wsUrl`, then CAMPAIGN_RUNS paced triggers: for each
 * run and listener, the time from just before the trigger is sent to the run's arrival (matched by activity id).
 * Also returns one delivered result (`sample`), which the raw fan-out floor sends back as its payload.
 */
async function fanOut(options: { wsUrl: string; key: string; campaignId: string; fire: Fire; rss: () => number }) {
  const rssBefore = options.rss();
  const arrivals = new Map<string, number[]>();
  const heard = new Set<number>();
  const failures: string[] = [];
  let sample: unknown;
  const opening = performance.now();
  const listeners = await openListeners({
    wsUrl: options.wsUrl,
    key: options.key,
    count: LISTENERS,
    query: CAMPAIGN_TRIGGERED,
    variables: { campaignId: options.campaignId },
    onResult: (listener, result) => {
      const at = performance.now();
      const activityId = (result.data as { campaignTriggered?: { activity?: { id?: string } } } | null)
        ?.campaignTriggered?.activity?.id;
      if (result.errors?.length || !activityId) {
        failures.push(`listener ${listener}: ${JSON.stringify(result.errors ?? result)}`);
        return;
      }
      sample ??= result;
      heard.add(listener);
      const times = arrivals.get(activityId);
      if (times) times.push(at);
      else arrivals.set(activityId, [at]);
    },
    onError: (listener, err) =>
      failures.push(`listener ${listener}: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
  });
  try {
    const connectedMs = performance.now() - opening;
    // A subscription goes live only after its stream has synced with the campaign's topic, which a client cannot see:
    // trigger until every listener has heard a run, so none of the measured runs races a subscription still starting.
    let warmUps = 0;
    for (const deadline = Date.now() + 120_000; heard.size < LISTENERS; warmUps += 1) {
      if (failures.length > 0) throw new Error(`campaign listeners failed: ${failures.slice(0, 5).join('; ')}`);
      if (Date.now() > deadline)
        throw new Error(`only ${heard.size} of ${LISTENERS} listeners heard a run within 120 s`);
      await options.fire();
      await sleep(250);
    }
    const liveMs = performance.now() - opening;
    const rssListening = options.rss();

    const { sentAt, mutationMs, rssPeak } = await paced(CAMPAIGN_RUNS, options.fire, options.rss);
    const expected = CAMPAIGN_RUNS * LISTENERS;
    const delivered = () => [...sentAt.keys()].reduce((n, id) => n + (arrivals.get(id)?.length ?? 0), 0);
    for (const deadline = Date.now() + 30_000; delivered() < expected && Date.now() < deadline;) await sleep(50);
    if (failures.length > 0) throw new Error(`campaign listeners failed: ${failures.slice(0, 5).join('; ')}`);
    if (delivered() !== expected) throw new Error(`${delivered()} of ${expected} deliveries arrived within 30 s`);

    const runs = [...sentAt].map(([id, before]) => arrivals.get(id)!.map((at) => at - before));
    return {
      sample,
      measured: {
        delivery: latencyStats(runs.flat()),
        deliveries: runs.flat().length,
        // How long the first listener of each run waited: close to the p50 when every listener gets its run only once all are done.
        firstListener: latencyStats(runs.map((latencies) => Math.min(...latencies))),
        // Where an outlier came from: a late first listener means the run started late (commit, publish, a paused event
        // loop), an on-time first listener with a late last one means the fan-out itself stalled.
        slowest: slowestRun(runs, mutationMs),
        mutation: latencyStats(mutationMs),
        warmUps,
        connectedMs,
        liveMs,
        rssBefore,
        rssListening,
        rssPeak,
      },
    };
  } finally {
    await listeners.close();
  }
}

/** The run whose last listener waited longest, and how many runs had a listener wait more than 100 ms. */
function slowestRun(runs: number[][], mutationMs: number[]) {
  const last = runs.map((latencies) => Math.max(...latencies));
  const index = last.indexOf(Math.max(...last));
  return {
    firstMs: Math.min(...runs[index]),
    lastMs: last[index],
    mutationMs: mutationMs[index],
    over100Ms: last.filter((ms) => ms > 100).length,
  };
}

/**
 * BENCH_LISTENERS subscribers to one campaign and BENCH_CAMPAIGN_RUNS paced activities that trigger it: the time
 * from the mutation to each delivery, against a bare WebSocket server sending the same run to the same clients.
 */
export const campaignListeners: Scenario = {
  name: 'campaign-listeners',
  mariadb: async ({ server, report, results }) => {
    const key = server.key;
    // A goal only this run records: seeded and other scenarios' activities never trigger the campaign.
    const goal = `bench-campaign-${RUN_ID}`;
    const { data: created } = await gql<{ createCampaign: { id: string } }>(server.url, key, CREATE_CAMPAIGN, {
      input: {
        name: `bench listeners ${RUN_ID}`,
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: [goal] } } }],
        flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }],
      },
    });
    const campaignId = created.createCampaign.id;
    await gql(server.url, key, ACTIVATE_CAMPAIGN, { id: campaignId });
    const url = server.url;
    let recorded = 0;
    const recordRun: Fire = async () => {
      const { data, ms } = await gql<{ recordChatActivity: { outcome: string; activity: { id: string } } }>(
        url,
        key,
        RECORD,
        { input: { ...recordInput(recorded++), goal } },
      );
      if (data.recordChatActivity.outcome !== 'RECORDED')
        throw new Error(`campaign activity was ${data.recordChatActivity.outcome}`);
      return { activityId: data.recordChatActivity.activity.id, ms };
    };

    // The same mutation on the same campaign before anyone listens: the write, the run and its score change, without the fan-out.
    const alone = latencyStats((await paced(Math.min(CAMPAIGN_RUNS, 20), recordRun, server.rssMiB)).mutationMs);
    const { sample, measured: real } = await fanOut({
      wsUrl: server.wsUrl,
      key,
      campaignId,
      fire: recordRun,
      rss: server.rssMiB,
    });

    // The floor, measured right after with the same clients and the same paced trigger: a bare ws server sending a
    // captured run to every subscriber (raw-fanout-server.js), so the machine's own cost of the deliveries is known.
    const raw = await startRawFanout(sample);
    let rawRuns = 0;
    const { measured: floor } = await fanOut({
      wsUrl: raw.wsUrl,
      key,
      campaignId,
      rss: raw.rssMiB,
      fire: async () => {
        const activityId = `raw-${(rawRuns += 1)}`;
        return { activityId, ...(await raw.fire(activityId)) };
      },
    }).finally(() => raw.stop());

    results.campaignListeners = {
      listeners: LISTENERS,
      runs: CAMPAIGN_RUNS,
      alone,
      ...real,
      floor,
    };
    const scenario = `${LISTENERS} listeners on one campaign, ${CAMPAIGN_RUNS} runs`;
    report({
      scenario: `raw ws fan-out to ${LISTENERS} graphql-ws clients (floor)`,
      metric: 'trigger → delivery p99 ms',
      value: floor.delivery.p99Ms,
      p99Ms: floor.delivery.p99Ms,
      note: `p50 ${floor.delivery.p50Ms.toFixed(1)}, max ${floor.delivery.maxMs.toFixed(1)} ms; server RSS ${floor.rssListening} MiB listening`,
    });
    report({
      scenario,
      metric: 'trigger → delivery p99 ms',
      value: real.delivery.p99Ms,
      baseline: 'raw ws fan-out p99',
      baselineValue: floor.delivery.p99Ms,
      target: '≤ 100 ms',
      p99Ms: real.delivery.p99Ms,
      note: `p50 ${real.delivery.p50Ms.toFixed(1)} (floor ${floor.delivery.p50Ms.toFixed(1)}), max ${real.delivery.maxMs.toFixed(1)} ms over ${real.deliveries} deliveries; first listener of a run p50 ${real.firstListener.p50Ms.toFixed(1)} ms; slowest run: first listener ${real.slowest.firstMs.toFixed(1)}, last ${real.slowest.lastMs.toFixed(1)}, its mutation ${real.slowest.mutationMs.toFixed(1)} ms (${real.slowest.over100Ms} of ${CAMPAIGN_RUNS} runs over 100 ms); recordChatActivity p99 without listeners ${alone.p99Ms.toFixed(1)} ms`,
    });
    report({
      scenario,
      metric: 'recordChatActivity p50 ms',
      value: real.mutation.p50Ms,
      baseline: 'p50 without listeners',
      baselineValue: alone.p50Ms,
      p99Ms: real.mutation.p99Ms,
      note: `without listeners p99 ${alone.p99Ms.toFixed(1)} ms`,
    });
    report({
      scenario,
      metric: 'server RSS MiB',
      value: real.rssPeak,
      baseline: 'RSS before',
      baselineValue: real.rssBefore,
      note: `${real.rssListening} MiB listening, before the runs; connected in ${(real.connectedMs / 1000).toFixed(1)} s, all live after ${(real.liveMs / 1000).toFixed(1)} s (${real.warmUps} warm-up runs)`,
    });
  },
};
