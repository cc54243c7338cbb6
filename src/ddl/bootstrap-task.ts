import { DatabaseState, DEFAULT_DB_ID, DEFAULT_DB_NAME } from '../meta/model.js';
import { missingBuiltins } from '../rbac/builtins.js';
import type { BuiltinsConfig } from '../rbac/builtins.js';
import type { TaskPorts } from './task.js';

export type BootstrapPorts = Pick<TaskPorts, 'meta' | 'propose' | 'allocTs' | 'wallClockNs' | 'passwords' | 'limits'>;

/**
 * What every new leader makes sure of before it serves (its first-leader setup), outside the scheduler:
 * the default database (id 1), created by the first leader of a new cluster; with security on, the
 * built-in users and roles (see missingBuiltins). A later leader creates whichever of them is missing,
 * so a builtin role added to the configuration appears at the next leader change or restart.
 */
export class BootstrapTask {
  constructor(private readonly security: BuiltinsConfig | null) {}

  async run(ports: BootstrapPorts): Promise<void> {
    await this.ensureDefaultDatabase(ports);
    await this.ensureRbacBuiltins(ports);
  }

  private async ensureDefaultDatabase(ports: BootstrapPorts): Promise<void> {
    if (ports.meta.databaseByName(DEFAULT_DB_NAME) !== undefined) return;
    const ts = await ports.allocTs();
    await ports.propose({
      kind: 'putDatabase',
      ts,
      database: { id: DEFAULT_DB_ID, name: DEFAULT_DB_NAME, state: DatabaseState.Created, createdTimeNs: ports.wallClockNs(), properties: [] },
    });
  }

  private async ensureRbacBuiltins(ports: BootstrapPorts): Promise<void> {
    if (this.security === null) return;
    const changes = await missingBuiltins(ports.meta.rbac, this.security, ports.passwords, ports.limits.passwordHashCost, ports.wallClockNs() / 1_000_000n);
    if (changes.length === 0) return;
    const ts = await ports.allocTs();
    await ports.propose({ kind: 'batch', commands: changes.map((change) => ({ kind: 'rbac', ts, change })) });
  }
}
