/**
 * The pure parts of reaching a multi-host swarm: which container a tunnel runs in and what it
 * dials, a node's address, the probe's verdict per node, the --node-engine pairs.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type SwarmCluster, type SwarmRedisNode } from '../../src/core/swarm/discover';
import { pickHop } from '../../src/core/swarm/localHop';
import { nodeAddress } from '../../src/core/swarm/swarmRouter';
import { missingImageProblem, verdictOf } from '../../src/core/swarm/imageProbe';
import { describeVolumesLeft, parseNodeEngines } from '../../src/core/swarm/nodeVolumes';
import { relayServiceName } from '../../src/core/swarm/relayService';
import { relayScript } from '../../src/core/swarm/tunnel';
import { isBadInputError, isNoRouteError } from '../../src/core/errors';

function node(service: string, swarmNode: string, ip: string, containerId = `c-${service}`): SwarmRedisNode {
  return { service, serviceId: `s-${service}`, index: Number(service.split('-')[1]), image: 'redis:7', port: 6379, task: { id: `t-${service}`, state: 'running', desiredState: 'running', swarmNode, containerId, ip } };
}

const cluster = (nodes: SwarmRedisNode[]): SwarmCluster => ({ name: 'c', managed: true, mode: 'persistent', nodes });

describe('pickHop: where a tunnel to a task starts', () => {
  const a = node('c-1', 'mgr', '192.0.2.12');
  const b = node('c-2', 'w1', '192.0.2.13');
  const c = node('c-3', 'w2', '192.0.2.14');

  it('a task on the connected node: its own container, dialling loopback', () => {
    assert.deepEqual(pickHop(cluster([a, b, c]), a, 'mgr'), { containerId: 'c-c-1', host: '127.0.0.1' });
  });

  it('a task elsewhere: a task container on the connected node, dialling the overlay address', () => {
    assert.deepEqual(pickHop(cluster([a, b, c]), c, 'mgr'), { containerId: 'c-c-1', host: '192.0.2.14' });
  });

  it('no task on the connected node: a relay is needed', () => {
    assert.equal(pickHop(cluster([b, c]), c, 'mgr'), 'relay');
  });

  it('no swarm node known (a one-node engine): the task container itself', () => {
    assert.deepEqual(pickHop(cluster([b]), b, undefined), { containerId: 'c-c-2', host: '127.0.0.1' });
  });

  it('a task that does not run has no route', () => {
    const stopped: SwarmRedisNode = { ...b, task: { id: 't', state: 'failed', desiredState: 'running', swarmNode: 'w1', error: 'boom' } };
    assert.throws(() => pickHop(cluster([a, stopped]), stopped, 'mgr'), (e: unknown) => isNoRouteError(e) && /boom/.test((e as Error).message));
  });
});

describe('the relay', () => {
  it("the relay service's name never looks like a hand-made node service (NAME-<digits>)", () => {
    const name = relayServiceName('cache', '1234567890123');
    assert.equal(name, 'cache-relay-n1234567890');
    assert.doesNotMatch(name, /^(.+)-(\d+)$/);
  });

  it('the tunnel script dials the given IP or plain host name and refuses anything else', () => {
    assert.match(relayScript(6379, '192.0.2.14'), /\/dev\/tcp\/192\.0\.2\.14\/6379/);
    assert.match(relayScript(6379), /\/dev\/tcp\/127\.0\.0\.1\/6379/);
    assert.match(relayScript(6379, 'cache-3'), /\/dev\/tcp\/cache-3\/6379/);
    for (const bad of ['192.0.2.14; rm -rf /', 'cache-3 $(id)', '-cache', 'a/b', '']) assert.throws(() => relayScript(6379, bad), isBadInputError, bad);
  });
});

describe("a swarm node's address", () => {
  it('Status.Addr, else the manager address without its port when Status.Addr is 0.0.0.0', () => {
    assert.equal(nodeAddress({ Status: { Addr: '192.0.2.12' } }), '192.0.2.12');
    assert.equal(nodeAddress({ Status: { Addr: '0.0.0.0' }, ManagerStatus: { Addr: '192.0.2.11:2377' } }), '192.0.2.11');
    assert.equal(nodeAddress({ Status: { Addr: '0.0.0.0' } }), undefined);
  });
});

describe('the image probe', () => {
  it('running or completed means present; No such image means missing; another failure means present', () => {
    assert.deepEqual(verdictOf([{ Status: { State: 'running' } }]), { verdict: 'present' });
    assert.equal(verdictOf([{ Status: { State: 'rejected', Err: 'No such image: x:1' } }])?.verdict, 'missing');
    assert.equal(verdictOf([{ Status: { State: 'failed', Err: 'exec: "sleep": executable file not found' } }])?.verdict, 'present');
    assert.equal(verdictOf([{ Status: { State: 'assigned' } }]), undefined);
  });

  it('names the nodes that lack the image, in order', () => {
    const problem = missingImageProblem('x:1', [
      { nodeId: '3', hostname: 'w3', verdict: 'missing' },
      { nodeId: '1', hostname: 'm1', verdict: 'present' },
      { nodeId: '2', hostname: 'w2', verdict: 'missing' },
    ]);
    assert.match(problem ?? '', /not on swarm node\(s\) w2, w3/);
    assert.equal(missingImageProblem('x:1', [{ nodeId: '1', hostname: 'm1', verdict: 'present' }]), undefined);
  });
});

describe('--node-engine', () => {
  it('parses NODE=URL pairs, repeated or comma-separated', () => {
    const m = parseNodeEngines(['w2=ssh://admin@w2,w3=tcp://192.0.2.13:2376', 'abc=unix:///run/x.sock']);
    assert.deepEqual([...m.entries()], [['w2', 'ssh://admin@w2'], ['w3', 'tcp://192.0.2.13:2376'], ['abc', 'unix:///run/x.sock']]);
    assert.throws(() => parseNodeEngines(['w2']), isBadInputError);
  });
});

describe('volumes destroy could not remove', () => {
  it('are named per node with the reason, and nothing is said when none is left', () => {
    const text = describeVolumesLeft([
      { node: 'w2', removed: ['c-2-data'] },
      { node: 'w3', removed: [], left: { volumes: ['c-1-data', 'c-5-data'], reason: 'no engine given for it' } },
    ]);
    assert.equal(text, 'Volumes left on other swarm nodes: on w3, c-1-data, c-5-data (no engine given for it). Remove them there with `docker volume rm`.');
    assert.equal(describeVolumesLeft([{ node: 'w2', removed: ['c-2-data'] }]), undefined);
  });
});
