import * as grpc from '@grpc/grpc-js';
import { EventEmitter } from 'node:events';
import type { LeaderChange } from '../../raft/raft-node.js';
import type { BrokerEvent } from '../ddl/broker.js';
import type { NodePort, ProxyPort, RaftStatusPort } from './ports.js';
import type { TimeTick } from '../timetick/time-tick-sync.js';
import { big, str } from './convert.js';
import type { PlainMessage } from './proto.js';

type Stream = grpc.ServerWritableStream<PlainMessage, PlainMessage>;

/** End a stream because this node does not (or no longer) lead; the client reconnects to the leader. */
function notLeader(node: NodePort, call: Stream): void {
  const leader = node.leaderId();
  const address = node.memberAddress(leader)?.client ?? '';
  call.emit('error', { code: grpc.status.UNAVAILABLE, details: `node ${node.config.id} is not the serving leader; leader: ${leader} ${address}`.trim() });
}

/**
 * The server streams open on a node, at most `max` (limits.maxServerStreams), and from one client
 * connection (gRPC peer) at most `perConnection` (limits.maxStreamsPerConnection), so that one client
 * cannot take every slot and keep proxies out.
 */
class StreamSlots {
  private open = 0;
  private readonly byPeer = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly perConnection: number,
  ) {}

  /** Take a slot for this connection, or end the stream with RESOURCE_EXHAUSTED and return false. */
  take(call: Stream, peer: string): boolean {
    const fromPeer = this.byPeer.get(peer) ?? 0;
    let refusal: string | null = null;
    if (this.open >= this.max) refusal = `${this.open} streams are open on this node (maxServerStreams ${this.max})`;
    else if (fromPeer >= this.perConnection) refusal = `${fromPeer} streams are open from this connection (maxStreamsPerConnection ${this.perConnection})`;
    if (refusal !== null) {
      call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: `${refusal}; retry later` });
      return false;
    }
    this.open++;
    this.byPeer.set(peer, fromPeer + 1);
    return true;
  }

  release(peer: string): void {
    this.open--;
    const left = (this.byPeer.get(peer) ?? 1) - 1;
    if (left <= 0) this.byPeer.delete(peer);
    else this.byPeer.set(peer, left);
  }
}

/**
 * Run `attach` while this node leads and the stream is open (and a stream slot is free); `detach`
 * runs exactly once after. The slot is held until the stream is gone ('close' or 'cancelled'), not
 * merely ended: an ended stream whose client does not read keeps its unsent messages until then, so
 * maxServerStreams bounds those too.
 */
function whileLeading(node: NodePort & RaftStatusPort, slots: StreamSlots, call: Stream, attach: () => () => void): void {
  // Cancelled while its caller was being authorized: grpc-js has emitted its last events already.
  if (call.cancelled || call.destroyed) return;
  if (!node.isServingLeader()) {
    notLeader(node, call);
    return;
  }
  const peer = call.getPeer();
  if (!slots.take(call, peer)) return;
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    slots.release(peer);
  };
  let detach: () => void;
  try {
    detach = attach();
  } catch (error) {
    release();
    throw error;
  }
  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    node.raft.off('role-change', onRole);
    detach();
  };
  const onRole = (change: LeaderChange): void => {
    if (change.leader === node.config.id) return;
    finish();
    notLeader(node, call);
  };
  const gone = (): void => {
    finish();
    release();
  };
  node.raft.on('role-change', onRole);
  call.on('cancelled', gone);
  call.on('close', gone);
  call.on('error', finish);
}

/** Server streams: proxy sessions (cache invalidations pushed to them) and time-tick watches. Leader only. */
export function streamHandlers(node: NodePort & ProxyPort & RaftStatusPort): Record<string, (call: Stream) => void> {
  const { maxServerStreams, maxStreamsPerConnection, maxStreamBacklog } = node.config.limits;
  const slots = new StreamSlots(maxServerStreams, maxStreamsPerConnection);
  // Each open stream listens on these (up to maxServerStreams streams, plus the node's own listeners):
  // Node's default of 10 listeners per event would warn of a leak that the slots already bound.
  for (const emitter of [node.raft, node.broker, node.timeTicks] as unknown[]) {
    if (emitter instanceof EventEmitter) emitter.setMaxListeners(Math.max(emitter.getMaxListeners(), maxServerStreams + 16));
  }
  return {
    OpenProxySession: (call) => {
      const serverId = big(call.request, 'server_id');
      whileLeading(node, slots, call, () => {
        node.timeTicks.addSession(serverId);
        node.log.info('proxy session opened', { serverId, role: str(call.request, 'role') });
        call.write({ type: 'SessionAccepted', leader: String(node.config.id) });
        const leader = String(node.config.id);
        const onEvent = (event: BrokerEvent): void => {
          // A session's events cannot be skipped (each invalidates a cache): a client that stopped
          // reading is ended instead, before its backlog grows without bound; it reopens its session.
          if (call.writableLength >= maxStreamBacklog) {
            call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: `${call.writableLength} events wait unsent on this session (maxStreamBacklog ${maxStreamBacklog}): its client is not reading` });
            return;
          }
          switch (event.type) {
            case 'InvalidateCollectionMetaCache':
              call.write({ type: event.type, db_name: event.dbName, collection_name: event.collectionName, collectionID: event.collectionID.toString(), msg_type: event.msgType, leader });
              return;
            case 'UpdateCredentialCache':
            case 'InvalidateCredentialCache':
              call.write({ type: event.type, username: event.username, leader });
              return;
            case 'RefreshPolicyInfoCache':
              call.write({ type: event.type, op_type: event.opType, op_key: event.opKey, leader });
              return;
            default:
              return;
          }
        };
        node.broker.on('event', onEvent);
        return () => {
          node.broker.off('event', onEvent);
          node.timeTicks.removeSession(serverId);
          node.log.info('proxy session closed', { serverId });
        };
      });
    },
    WatchTimeTick: (call) => {
      const channel = str(call.request, 'channel');
      whileLeading(node, slots, call, () => {
        const onTick = (tick: TimeTick): void => {
          // A watch that is behind (its client reads slower than ticks come, or not at all) skips ticks
          // until its buffer drains: each tick supersedes the ones before it on its channel.
          if (call.writableNeedDrain) return;
          if (channel === '' || channel === tick.channel) call.write({ channel: tick.channel, timestamp: tick.ts.toString() });
        };
        node.timeTicks.on('tick', onTick);
        return () => node.timeTicks.off('tick', onTick);
      });
    },
  };
}
