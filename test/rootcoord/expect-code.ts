import { expect } from 'chai';
import { RootCoordError } from '../../src/client/root-coord-client.js';

/** Assert that a call fails with Milvus code `code` (and, optionally, a reason matching `reason`). */
export async function expectCode(promise: Promise<unknown>, code: number, reason?: RegExp): Promise<RootCoordError> {
  let caught: unknown = null;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected code ${code}, but the call succeeded`).to.be.instanceOf(RootCoordError);
  const error = caught as RootCoordError;
  expect(error.code, error.reason).to.equal(code);
  if (reason !== undefined) expect(error.reason).to.match(reason);
  return error;
}
