import { benchCreate } from './create';
import { benchRepl } from './repl';
import { activateBench } from './activate';

/** Every benchmark by name. One line per benchmark; each lives in its own file. */
export type Bench = () => Promise<void>;

export const benches: Record<string, Bench> = {
  create: benchCreate,
  repl: benchRepl,
  activate: activateBench,
};
