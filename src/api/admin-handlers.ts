import { successStatus } from '../common/error-codes.js';
import type { AdminPort, CatalogPort, NodePort, RaftStatusPort } from './ports.js';
import { big, bigints, int, str } from './convert.js';
import type { Handler } from './handler.js';

/** RootCoordAdmin: cluster status, leadership transfer, snapshots. Answered locally by any node. */
export function adminHandlers(node: NodePort & CatalogPort & RaftStatusPort & AdminPort): Record<string, Handler> {
  return {
    ClusterStatus: {
      kind: 'local',
      handle: async () => {
        const st = await node.raft.currentStatus();
        const leaderAddress = node.memberAddress(st.lead)?.client ?? '';
        return {
          self: {
            id: String(node.config.id),
            role: st.role,
            term: String(st.term),
            leader: String(st.lead),
            commit_index: String(st.commit),
            applied_index: String(node.meta.appliedIndex),
            client_address: node.memberAddress(node.config.id)?.client ?? '',
            is_learner: st.confState.learners.includes(node.config.id),
          },
          leader: String(st.lead),
          voters: st.confState.voters.map(String),
          learners: st.confState.learners.map(String),
          leader_client_address: leaderAddress,
        };
      },
    },
    TransferLeader: {
      kind: 'local',
      handle: async (req) => {
        node.transferLeader(int(req, 'target'));
        return successStatus;
      },
    },
    AddMember: {
      kind: 'leader',
      handle: async (req) => {
        await node.addMember(int(req, 'id'), { peer: str(req, 'peer_address'), client: str(req, 'client_address') });
        return successStatus;
      },
    },
    RemoveMember: {
      kind: 'leader',
      handle: async (req) => {
        await node.removeMember(int(req, 'id'));
        return successStatus;
      },
    },
    InjectFaults: {
      kind: 'local',
      handle: async (req) => {
        node.injectFaults({ dropTo: Array.from(bigints(req, 'drop_to'), Number), dropFrom: Array.from(bigints(req, 'drop_from'), Number), delayMs: int(req, 'delay_ms'), clockSkewMs: big(req, 'clock_skew_ms') });
        return successStatus;
      },
    },
    Digest: {
      kind: 'local',
      handle: async (req) => {
        const index = int(req, 'index');
        if (index > 0) return { digest: await node.catalogDigestAtMark(index), applied_index: String(index) };
        const { digest, appliedIndex } = await node.catalogDigest();
        return { digest, applied_index: String(appliedIndex) };
      },
    },
    CheckReplicas: {
      kind: 'leader',
      handle: async () => {
        const { index, digest } = await node.checkReplicas();
        return { index: String(index), digest };
      },
    },
    Snapshot: {
      kind: 'local',
      handle: async () => {
        await node.snapshotNow();
        return successStatus;
      },
    },
  };
}
