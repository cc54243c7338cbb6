/** The step executor's places (issue 9 C): reserved ones cannot be refused, recovery's jobs are always taken. */
import { expect } from 'chai';
import { StepExecutor } from '../../src/ddl/step-executor.js';
import type { BackgroundJob } from '../../src/ddl/step-executor.js';

describe('StepExecutor places', () => {
  it('counts reserved places; a reserved place always takes its job; recovery jobs go beyond the bound; a stop frees every place', async () => {
    const executor = new StepExecutor({ parallelMax: 1, jobsMax: 3, retryDelayMs: 1 });
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const ran: string[] = [];
    const job = (name: string): BackgroundJob => ({ name, steps: [() => gate, async () => void ran.push(name)] });
    const a = executor.reserve();
    const b = executor.reserve();
    const c = executor.reserve();
    expect([a, b, c].every((s) => s !== null)).to.equal(true);
    expect(executor.reserve()).to.equal(null);
    c?.release();
    c?.release();
    expect(executor.load()).to.equal(2);
    executor.resume(job('recovery1'));
    executor.resume(job('recovery2'));
    expect(executor.load()).to.equal(4);
    expect(executor.reserve()).to.equal(null);
    a?.submit(job('a'));
    b?.submit(job('b'));
    expect(executor.load()).to.equal(4);
    open();
    await executor.idle();
    expect(ran).to.deep.equal(['recovery1', 'recovery2', 'a', 'b']);
    const held = executor.reserve();
    executor.stop();
    expect(executor.load()).to.equal(0);
    held?.submit(job('after stop'));
    executor.start();
    expect(executor.load()).to.equal(0);
    await executor.idle();
    expect(ran).to.not.include('after stop');
  });
});
