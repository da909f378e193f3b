import { type Verb } from '../verb';
import { doctorVerb } from './doctor';
import { createVerb } from './create';
import { statusVerb } from './status';
import { checkVerb } from './check';
import { deployVerb } from './deploy';
import { destroyVerb } from './destroy';
import { portForwardVerb } from './portForward';
import { cliVerb } from './cli';
import { healVerb } from './heal';
import { modeVerb } from './mode';
import { failoverVerb } from './failover';
import { reshardVerb } from './reshard';
import { fixVerb } from './fix';
import { rebalanceVerb } from './rebalance';
import { addNodeVerb } from './addNode';
import { rotateCertsVerb } from './rotateCerts';
import { delNodeVerb } from './delNode';
import { upgradeVerb } from './upgrade';
import { restartVerb } from './restart';
import { configVerb } from './config';
import { activateHostVerb, drainHostVerb } from './drainHost';

/** Every CLI verb, in the order `redis-swarm --help` lists them: set up, look, act, tear down. */
export const verbs: readonly Verb[] = [
  doctorVerb,
  deployVerb,
  createVerb,
  statusVerb,
  checkVerb,
  cliVerb,
  portForwardVerb,
  healVerb,
  modeVerb,
  reshardVerb,
  rebalanceVerb,
  fixVerb,
  failoverVerb,
  addNodeVerb,
  rotateCertsVerb,
  delNodeVerb,
  upgradeVerb,
  configVerb,
  restartVerb,
  drainHostVerb,
  activateHostVerb,
  destroyVerb,
];
