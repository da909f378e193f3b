import { benchCreate } from './create';
import { benchRepl } from './repl';
import { benchReshard } from './reshard';
import { activateBench } from './activate';
import { benchHeal } from './heal';
import { benchUpgrade } from './upgrade';
import { benchTunnel } from './tunnel';
import { benchHostLoss } from './hostLoss';
import { benchLoad } from './load';

/** Every benchmark by name. One line per benchmark; each lives in its own file. */
export type Bench = () => Promise<void>;

export const benches: Record<string, Bench> = {
  create: benchCreate,
  repl: benchRepl,
  reshard: benchReshard,
  activate: activateBench,
  heal: benchHeal,
  upgrade: benchUpgrade,
  tunnel: benchTunnel,
  hostloss: benchHostLoss,
  load: benchLoad,
};
