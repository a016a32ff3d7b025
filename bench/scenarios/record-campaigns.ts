import { RUN_ID, SECONDS } from '../lib/config';
import { gql } from '../lib/graphql';
import { recordLoad } from '../lib/recording';
import type { Scenario } from '../lib/scenario';

/**
 * The write path with 200 active campaigns that never fire: 100 on another activity type (skipped by the trigger
 * index) and 100 on the same type whose constraint does not match (checked in memory). The baseline is plain
 * recording measured just before, back to back, so warm-up does not skew the ratio.
 */
export const recordCampaigns: Scenario = {
  name: 'record-campaigns',
  mariadb: async ({ server, report, results }) => {
    const plain = await recordLoad(server, SECONDS);
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 1) {
      const trigger =
        i % 2
          ? { activity: 'TRIGGERED' }
          : { activity: 'GOAL_ACHIEVED', constraints: { goal: { is: [`never-${i}`] } } };
      const { data } = await gql<{ createCampaign: { id: string } }>(
        server.url,
        server.key,
        'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: `bench-idle-${RUN_ID}-${i}`,
            triggers: [trigger],
            flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }],
          },
        },
      );
      ids.push(data.createCampaign.id);
      await gql(server.url, server.key, 'mutation($id: ID!) { activateCampaign(id: $id) { id } }', {
        id: data.createCampaign.id,
      });
    }
    const withCampaigns = await recordLoad(server, SECONDS);
    for (const id of ids) await gql(server.url, server.key, 'mutation($id: ID!) { deleteCampaign(id: $id) }', { id });
    results.recordCampaigns = { plain, withCampaigns };
    report({
      scenario: 'recordChatActivity ×64, 200 idle campaigns',
      metric: 'req/s',
      value: withCampaigns.requestsPerSecond,
      baseline: 'just before, no campaigns',
      baselineValue: plain.requestsPerSecond,
      p99Ms: withCampaigns.p99Ms,
      note: `p99 without campaigns ${plain.p99Ms.toFixed(1)} ms`,
    });
  },
};
