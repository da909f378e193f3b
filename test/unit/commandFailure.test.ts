import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BadInputError, CancelledError, RedisError } from '../../src/core/errors';
import { commandFailure } from '../../src/extension/commands/commandFailure';

describe('how a command failure is reported in VS Code', () => {
  it('a Cancel is not an error: information, with what was left done', () => {
    const cancel = new CancelledError('Deploy cancelled; nothing was created.');
    assert.deepEqual(commandFailure(cancel), { severity: 'info', message: 'Deploy cancelled; nothing was created.' });
  });

  it('a failure is an error, in its one sentence', () => {
    assert.deepEqual(commandFailure(new RedisError('127.0.0.1:7000 refused CLUSTER MEET.')), { severity: 'error', message: '127.0.0.1:7000 refused CLUSTER MEET.' });
    assert.deepEqual(commandFailure(new BadInputError('Name a cluster.')), { severity: 'error', message: 'Name a cluster.' });
    assert.deepEqual(commandFailure(new Error('boom')), { severity: 'error', message: 'boom' });
  });
});
