import { Verb } from '../verb';
import { doctorVerb } from './doctor';

/** Every CLI verb, in the order `redis-swarm --help` lists them. One line per verb. */
export const verbs: readonly Verb[] = [
  doctorVerb,
];
