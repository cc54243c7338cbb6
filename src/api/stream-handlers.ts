import * as grpc from '@grpc/grpc-js';
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

/** Run `attach` while this node leads and the stream is open; `detach` runs exactly once after. */
function whileLeading(node: NodePort & RaftStatusPort, call: Stream, attach: () => () => void): void {
  if (!node.isServingLeader()) {
    notLeader(node, call);
    return;
  }
  const detach = attach();
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
  node.raft.on('role-change', onRole);
  call.on('cancelled', finish);
  call.on('close', finish);
  call.on('error', finish);
}

/** Server streams: proxy sessions (cache invalidations pushed to them) and time-tick watches. Leader only. */
export function streamHandlers(node: NodePort & ProxyPort & RaftStatusPort): Record<string, (call: Stream) => void> {
  return {
    OpenProxySession: (call) => {
      const serverId = big(call.request, 'server_id');
      whileLeading(node, call, () => {
        node.timeTicks.addSession(serverId);
        node.log.info('proxy session opened', { serverId, role: str(call.request, 'role') });
        call.write({ type: 'SessionAccepted', leader: String(node.config.id) });
        const leader = String(node.config.id);
        const onEvent = (event: BrokerEvent): void => {
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
      whileLeading(node, call, () => {
        const onTick = (tick: TimeTick): void => {
          if (channel === '' || channel === tick.channel) call.write({ channel: tick.channel, timestamp: tick.ts.toString() });
        };
        node.timeTicks.on('tick', onTick);
        return () => node.timeTicks.off('tick', onTick);
      });
    },
  };
}
