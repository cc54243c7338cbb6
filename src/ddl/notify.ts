import type { BrokerEvent } from './broker.js';
import type { TaskContext } from './task.js';

type NotifyPorts = Pick<TaskContext, 'broker' | 'log'>;
type CacheEntry = Omit<Extract<BrokerEvent, { type: 'InvalidateCollectionMetaCache' }>, 'type'>;

/**
 * Tell the proxies (through the broker) what a change affects. A failure does not fail the task, as in
 * Milvus: it is logged, and the proxies' caches expire on their own.
 */
export async function notifyProxies(ctx: NotifyPorts, ...events: BrokerEvent[]): Promise<void> {
  for (const event of events) {
    await ctx.broker.notify(event).catch((error: unknown) => ctx.log.warn('broker notification failed', { event: event.type, error: error instanceof Error ? error.message : String(error) }));
  }
}

/** Milvus's InvalidateCollectionMetaCache: proxies drop what they cached of a collection (or of a database, with no collection). */
export function invalidateCollectionCache(ctx: NotifyPorts, entry: CacheEntry): Promise<void> {
  return notifyProxies(ctx, { type: 'InvalidateCollectionMetaCache', ...entry });
}
