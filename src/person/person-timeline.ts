import { ValidateNested } from 'class-validator';
import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import { ArgsType, Field } from 'type-graphql';
import { ActivityFilter } from '../activity/activity-connection.type';
import type { ActivityEntity } from '../activity/activity.entity';
import type { TimelinePage, TimelinePosition } from '../activity/activity.repository';
import { primeCatalog } from '../catalog/catalog.loader';
import { CatalogType } from '../catalog/catalog.model';
import { BidirectionalConnectionArgs, decodeCursorArg, pageRequest, type PageRequest } from '../graphql/connection';
import type { RequestContext } from '../graphql/context';
import { soleSubfield } from '../graphql/lookahead';
import { findMalformedText } from '../shared/text';
import { violationsOf } from '../shared/validation';
import type { PersonEntity } from './person.entity';

@ArgsType()
export class ActivitiesArgs extends BidirectionalConnectionArgs {
  @Field(() => ActivityFilter, { nullable: true })
  // Without it the filter's own bounds (types, chatIds) would never be checked.
  @ValidateNested()
  filter?: ActivityFilter | null;
}

/** What `Person.activities` reads for its arguments: the page request and the timeline query. */
export interface TimelineRead {
  request: PageRequest;
  cursors: { after: boolean; before: boolean };
  page: TimelinePage;
}

/** The read for validated arguments; BAD_USER_INPUT for first with last or a malformed cursor. */
export function timelineRead(args: ActivitiesArgs): TimelineRead {
  const request = pageRequest(args);
  const position = (key: [number, string] | null): TimelinePosition | null =>
    key ? { occurredAt: key[0], id: key[1] } : null;
  const after = position(decodeCursorArg<[number, string]>('after', args.after, ['number', 'string']));
  const before = position(decodeCursorArg<[number, string]>('before', args.before, ['number', 'string']));
  return {
    request,
    cursors: { after: after !== null, before: before !== null },
    page: { limit: request.size + 1, after, before, fromEnd: request.backward, filter: args.filter },
  };
}

/** Two reads are the same query exactly when these agree. */
function pageKey({ limit, after, before, fromEnd, filter }: TimelinePage): string {
  return JSON.stringify([
    limit,
    after,
    before ?? null,
    fromEnd ?? false,
    filter?.types ?? null,
    filter?.chatIds ?? null,
    filter?.since?.getTime() ?? null,
    filter?.until?.getTime() ?? null,
  ]);
}

interface Prefetched {
  key: string;
  activities: ActivityEntity[];
}

/** Pages read along with their person, by the activities field they were read for, then by person. */
const prefetchedPages = (ctx: RequestContext) =>
  ctx.loader('person-timeline-prefetched', () => new Map<FieldNode, Map<string, Prefetched>>());

/**
 * The timeline read of the operation's one `activities` selection under this
 * person field, when its arguments pass the checks the field itself will
 * apply (the validation rules, well-formed text, page and cursor rules);
 * anything else is left to the field, which then reports it.
 */
function lookahead(info: GraphQLResolveInfo): { node: FieldNode; read: TimelineRead } | null {
  const subfield = soleSubfield(info, 'activities');
  if (!subfield) return null;
  const raw = subfield.args as Partial<ActivitiesArgs>;
  const args = Object.assign(new ActivitiesArgs(), raw, {
    filter: raw.filter ? Object.assign(new ActivityFilter(), raw.filter) : raw.filter,
  });
  if (findMalformedText(raw) || violationsOf(args).length > 0) return null;
  try {
    return { node: subfield.node, read: timelineRead(args) };
  } catch {
    return null;
  }
}

/**
 * The person, and when the operation shows its activities, their page and
 * the page's chats in the same query (one round trip for a timeline
 * request instead of three). Null when the workspace has no such person.
 */
export async function personWithTimeline(
  ctx: RequestContext,
  info: GraphQLResolveInfo,
  workspaceId: string,
  personId: string,
): Promise<PersonEntity | null> {
  const ahead = lookahead(info);
  if (!ahead) return ctx.services.people.get(workspaceId, personId);
  const { person, activities, chats } = await ctx.services.activities.personPage(
    workspaceId,
    personId,
    ahead.read.page,
  );
  if (!person) return null;
  primeCatalog(ctx, CatalogType.CHAT, chats);
  const pages = prefetchedPages(ctx);
  let byPerson = pages.get(ahead.node);
  if (!byPerson) pages.set(ahead.node, (byPerson = new Map<string, Prefetched>()));
  byPerson.set(person.id, { key: pageKey(ahead.read.page), activities });
  return person;
}

/** A page of the person's timeline: the one read with the person if it is this query, else its own read. */
export function timelinePage(
  ctx: RequestContext,
  info: GraphQLResolveInfo,
  personId: string,
  page: TimelinePage,
): Promise<ActivityEntity[]> {
  const prefetched = prefetchedPages(ctx).get(info.fieldNodes[0])?.get(personId);
  if (prefetched && info.fieldNodes.length === 1 && prefetched.key === pageKey(page))
    return Promise.resolve(prefetched.activities);
  return ctx.services.activities.timeline(personId, page);
}
