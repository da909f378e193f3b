import type * as vscode from 'vscode';
import { type Logger } from '../core/lifecycle';

/** The core logs through a plain Logger; in VS Code it lands in the "Redis Swarm" channel. */
export function createLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    trace: (m) => channel.trace(m),
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
}
