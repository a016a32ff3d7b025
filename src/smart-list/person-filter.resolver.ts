import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Campaign } from '../campaign/campaign.type';
import { campaignLoader } from '../campaign/campaign.loader';
import type { RequestContext } from '../graphql/context';
import { MemberOfSmartListFilter, WasInCampaignFilter } from './person-filter.type';
import { smartListLoader } from './smart-list.loader';
import { SmartList } from './smart-list.type';

/** The list and the campaign a filter names, loaded per request (a definition lists many). */
@Resolver(() => MemberOfSmartListFilter)
export class MemberOfSmartListFilterResolver {
  @FieldResolver(() => SmartList, { nullable: true, description: 'Null only while it is being deleted.' })
  async smartList(@Root() filter: MemberOfSmartListFilter, @Ctx() ctx: RequestContext): Promise<SmartList | null> {
    const entity = await smartListLoader(ctx).load(filter.rawSmartListId);
    return entity ? SmartList.from(entity) : null;
  }
}

@Resolver(() => WasInCampaignFilter)
export class WasInCampaignFilterResolver {
  @FieldResolver(() => Campaign, { nullable: true, description: 'Null once the campaign is deleted.' })
  async campaign(@Root() filter: WasInCampaignFilter, @Ctx() ctx: RequestContext): Promise<Campaign | null> {
    const entity = await campaignLoader(ctx).load(filter.rawCampaignId);
    return entity ? Campaign.from(entity) : null;
  }
}
