import { type CommandDef } from './commandContext';

export const showLogCommand: CommandDef = {
  id: 'redisSwarm.showLog',
  run(ctx) {
    ctx.output.show(true);
  },
};
