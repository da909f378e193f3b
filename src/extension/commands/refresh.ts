import { type CommandDef } from './commandContext';

export const refreshCommand: CommandDef = {
  id: 'redisSwarm.refresh',
  run(ctx) {
    ctx.refresh.request('manual refresh');
  },
};
