import { CommandDef } from './registry';

export const showLogCommand: CommandDef = {
  id: 'redisSwarm.showLog',
  run(ctx) {
    ctx.output.show(true);
  },
};
