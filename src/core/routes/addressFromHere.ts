/**
 * The address to give a person for a node: one that works from this machine. A cluster
 * announces `redis-2:6379` or an overlay IP, which this machine cannot resolve or route to;
 * what works is the route redis-swarm itself uses (a published port, or a tunnel through the
 * Docker API that stays open while the process that opened it runs).
 */
import { formatEndpoint } from './endpoint';
import { type Route } from './router';

export interface AddressChoice {
  readonly address: string;
  /** Why this address works (or where it does not), for the picker and the confirmation. */
  readonly how: string;
}

export interface AddressesFromHere {
  /** What to copy without asking, when one address plainly works from here. */
  readonly preferred?: AddressChoice;
  /** Every address worth offering, the one that works from here first. */
  readonly choices: readonly AddressChoice[];
}

export function addressesFromHere(announced: string, route: Route, service: string): AddressesFromHere {
  const target = formatEndpoint(route.target);
  const inside: AddressChoice = { address: announced, how: `the announced address: it resolves only inside the cluster's network (other containers on it)` };
  switch (route.kind) {
    case 'direct': {
      const here: AddressChoice = { address: target, how: `${service} answers there directly` };
      return { preferred: here, choices: target === announced ? [here] : [here, inside] };
    }
    case 'published': {
      const here: AddressChoice = { address: target, how: `${service}'s published port on the machine running its task` };
      return { preferred: here, choices: [here, inside] };
    }
    case 'tunnel':
      // A tunnel is borrowed from the extension's own routes: worth offering, but the person
      // must know it lives only as long as this window, so it is a choice, not a default.
      return {
        choices: [
          { address: target, how: `a port forward to ${service} through the Docker API, open while this window runs` },
          inside,
        ],
      };
  }
}
