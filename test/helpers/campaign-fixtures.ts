import type { TestServer } from './server';
import { rawOf } from './ids';

export const CAMPAIGN_FIELDS = `id name description active filterLogic advancedLogic createdAt updatedAt
  triggers { activity constraints { chatKind chat { is isNot contains startsWith } goal { is contains } } }
  filters { position activity negated minNumberOfTimes constraints { goal { is } } }
  qualification { kind interval { amount unit } }
  flow { position action scoreDelta description webhookUrl conditions { chat { is } goal { is contains } } }`;

export const CREATE_CAMPAIGN = `mutation($input: CampaignInput!) { createCampaign(input: $input) { ${CAMPAIGN_FIELDS} } }`;
export const UPDATE_CAMPAIGN = `mutation($id: ID!, $input: CampaignInput!) { updateCampaign(id: $id, input: $input) { ${CAMPAIGN_FIELDS} } }`;
export const ACTIVATE = `mutation($id: ID!) { activateCampaign(id: $id) { id active } }`;
export const DEACTIVATE = `mutation($id: ID!) { deactivateCampaign(id: $id) { id active } }`;
export const DELETE_CAMPAIGN = `mutation($id: ID!) { deleteCampaign(id: $id) }`;
export const GET_CAMPAIGN = `query($id: ID!, $first: Int, $after: String) { campaign(id: $id) { ${CAMPAIGN_FIELDS}
  runs(first: $first, after: $after) { edges { cursor node { id cursor triggeredAt steps { position action outcome } person { id score } activity { id type } campaign { id } } }
    pageInfo { hasNextPage endCursor } } } }`;
export const LIST_CAMPAIGNS = `query($first: Int, $after: String) { campaigns(first: $first, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }`;
export const CAMPAIGN_TRIGGERED = `subscription($campaignId: ID!, $after: String) { campaignTriggered(campaignId: $campaignId, after: $after) {
  id cursor triggeredAt campaign { id name } person { id score } activity { id type ... on GoalAchievedActivity { goal } } steps { position action outcome } } }`;

let counter = 0;
export const unique = (prefix: string): string => `${prefix}-${process.pid}-${++counter}`;

export const chat = { kind: 'DIALOGUE', id: 'chat-1', name: 'Pricing dialogue' };

/** A GOAL_ACHIEVED input: stored every time (never once-per-session), so each call is RECORDED. */
export const goal = (visitorId: string, goalName = 'demo', extra: Record<string, unknown> = {}) => ({
  type: 'GOAL_ACHIEVED',
  visitorId,
  sessionId: unique('session'),
  chat,
  goal: goalName,
  ...extra,
});

export const campaignInput = (overrides: Record<string, unknown> = {}) => ({
  name: unique('campaign'),
  triggers: [{ activity: 'GOAL_ACHIEVED' }],
  ...overrides,
});

/** Creates and activates a campaign; returns its id. */
export async function activeCampaign(
  server: TestServer,
  overrides: Record<string, unknown> = {},
  key?: string,
): Promise<string> {
  const created = await server.gql<{ createCampaign: { id: string } }>(
    CREATE_CAMPAIGN,
    { input: campaignInput(overrides) },
    key,
  );
  if (created.errors) throw new Error(`createCampaign failed: ${JSON.stringify(created.errors)}`);
  const id = created.data!.createCampaign.id;
  const activated = await server.gql(ACTIVATE, { id }, key);
  if (activated.errors) throw new Error(`activateCampaign failed: ${JSON.stringify(activated.errors)}`);
  return id;
}

export async function runCount(server: TestServer, campaignId: string, personId?: string): Promise<number> {
  const [row] = await server.app.dataSource.query<Array<{ n: number | string }>>(
    `SELECT COUNT(*) AS n FROM campaign_run WHERE campaign_id = ?${personId ? ' AND person_id = ?' : ''}`,
    personId ? [rawOf(campaignId), rawOf(personId)] : [rawOf(campaignId)],
  );
  return Number(row.n);
}
