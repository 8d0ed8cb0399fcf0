import type { MonitorOptions } from '@streamtasks/monitoring';
import { UsageError } from '../command.js';

/** The environment variable that gives the monitor token when `--monitor-token` is absent. */
export const MONITOR_TOKEN_ENV = 'STREAMTASKS_MONITOR_TOKEN';

/** The monitor options of `streamtasks node` (`--monitor`, `--monitor-token`, `--monitor-basic`). */
export function monitorOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): MonitorOptions | undefined {
  const listen = values.monitor as string | undefined;
  const token = (values['monitor-token'] as string | undefined) ?? env[MONITOR_TOKEN_ENV];
  const basic = values['monitor-basic'] as string | undefined;
  if (listen === undefined) {
    if (values['monitor-token'] !== undefined || basic !== undefined) throw new UsageError('--monitor-token and --monitor-basic need --monitor');
    return undefined;
  }
  let username: string | undefined;
  let password: string | undefined;
  if (basic !== undefined) {
    const colon = basic.indexOf(':');
    if (colon <= 0) throw new UsageError('--monitor-basic must be USER:PASSWORD');
    username = basic.slice(0, colon);
    password = basic.slice(colon + 1);
  }
  const auth = token !== undefined || username !== undefined ? { token, username, password } : undefined;
  return { listen, auth };
}
