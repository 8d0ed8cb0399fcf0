import type { LinkView, NodeView, TopicView } from '@streamtasks/monitoring';
import { ExitCode, UsageError, defineCommand, numberArg, type Terminal } from '../command.js';
import { TOP_SORTS, headerLines, tableLines, type TopFrame, type TopMode } from '../top-view.js';

/** The monitor `top` reads when `--monitor` is not given. */
export const DEFAULT_MONITOR_URL = 'http://127.0.0.1:8222';
export const MONITOR_URL_ENV = 'STREAMTASKS_MONITOR';

export const topCommand = defineCommand({
  name: 'top',
  summary: 'live view of a node: links or topics sorted by rate, refreshed every second',
  usage: [
    'usage: streamtasks top [--monitor URL] [--token T] [--topics] [--sort KEY] [--interval S] [--count N]',
    '',
    'Reads the HTTP monitor of a node (streamtasks node --monitor ...) and shows a header with',
    'uptime, links and rates, and a table of links (or topics) sorted by rate.',
    'Keys: q or Ctrl-C quit, l links, t topics, s next sort key.',
    'When stdout is not a terminal, each refresh is printed as plain lines.',
    `  -m, --monitor URL   the monitor (default: $${MONITOR_URL_ENV} or ${DEFAULT_MONITOR_URL})`,
    '  --token T           the monitor token (default: $STREAMTASKS_MONITOR_TOKEN)',
    '  --topics            start with the topics table',
    `  --sort KEY          links: ${TOP_SORTS.links.join(', ')}; topics: ${TOP_SORTS.topics.join(', ')}`,
    '  --interval S        seconds between refreshes (default 1)',
    '  -n, --count N       exit after N refreshes',
  ].join('\n'),
  options: {
    monitor: { type: 'string', short: 'm' },
    token: { type: 'string' },
    topics: { type: 'boolean' },
    sort: { type: 'string' },
    interval: { type: 'string' },
    count: { type: 'string', short: 'n' },
  },
  async run(values, _positionals, io) {
    const monitor = (values.monitor ?? io.env[MONITOR_URL_ENV] ?? DEFAULT_MONITOR_URL).replace(/\/+$/, '');
    const token = values.token ?? io.env.STREAMTASKS_MONITOR_TOKEN;
    let mode: TopMode = values.topics ? 'topics' : 'links';
    let sort = values.sort ?? 'msg_rate';
    if (!TOP_SORTS[mode].includes(sort)) throw new UsageError(`--sort must be one of ${TOP_SORTS[mode].join(', ')}`);
    const interval = numberArg(values.interval, '--interval', 1) * 1000;
    if (interval < 100) throw new UsageError('--interval must be at least 0.1');
    const count = values.count === undefined ? Infinity : numberArg(values.count, '--count');
    const terminal = io.terminal;
    const rows = () => (terminal?.output.rows ?? 40) - 5;

    const read = async (): Promise<TopFrame> => {
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${monitor}${path}`, {
          headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
          signal: AbortSignal.any([io.signal, AbortSignal.timeout(5000)]),
        });
        if (!res.ok) throw new Error(`${monitor}${path} answered ${res.status} ${res.statusText}`);
        return (await res.json()) as T;
      };
      const limit = terminal ? Math.max(rows(), 1) : 20;
      const table = `/${mode}?sort=${sort}&order=desc&limit=${limit}`;
      const [node, list] = await Promise.all([get<NodeView>('/node'), get<{ total: number; links?: LinkView[]; topics?: TopicView[] }>(table)]);
      return mode === 'links'
        ? { monitor, node, mode, sort, links: { total: list.total, links: list.links ?? [] } }
        : { monitor, node, mode, sort, topics: { total: list.total, topics: list.topics ?? [] } };
    };

    const screen = terminal ? new Screen(terminal) : undefined;
    const stop = new AbortController();
    let wakeUp = new AbortController();
    const keys = screen?.onKey((key) => {
      if (key === 'q' || key === '\u0003') stop.abort();
      else if (key === 't' || key === 'l') {
        mode = key === 't' ? 'topics' : 'links';
        if (!TOP_SORTS[mode].includes(sort)) sort = 'msg_rate';
      } else if (key === 's') {
        const keys = TOP_SORTS[mode];
        sort = keys[(keys.indexOf(sort) + 1) % keys.length]!;
      } else return;
      wakeUp.abort();
    });
    try {
      for (let n = 0; n < count && !stop.signal.aborted && !io.signal.aborted; n++) {
        let frame: TopFrame;
        try {
          frame = await read();
        } catch (err) {
          if (io.signal.aborted) break;
          if (!screen || n === 0) throw new Error(`cannot read the monitor: ${(err as Error).message}`, { cause: err });
          screen.draw([`streamtasks top - ${monitor}: cannot read the monitor: ${(err as Error).message}`]);
          await sleep(interval, [io.signal, stop.signal, wakeUp.signal]);
          continue;
        }
        const lines = [...headerLines(frame), '', ...tableLines(frame)];
        if (screen) {
          const sortHelp = `${frame.mode} by ${frame.sort} (${(frame.mode === 'links' ? frame.links?.total : frame.topics?.total) ?? 0})   q quit  l links  t topics  s sort`;
          screen.draw([...lines.slice(0, 2), sortHelp, ...lines.slice(2)].slice(0, rows() + 5));
        } else {
          io.out(`${new Date().toISOString()} ${frame.mode} by ${frame.sort}`);
          for (const line of lines) io.out(line);
          io.out('');
        }
        if (n + 1 >= count) break;
        if (wakeUp.signal.aborted) wakeUp = new AbortController();
        await sleep(interval, [io.signal, stop.signal, wakeUp.signal]);
        if (wakeUp.signal.aborted) wakeUp = new AbortController();
      }
      return ExitCode.OK;
    } finally {
      keys?.();
      screen?.close();
    }
  },
});

/** Waits `ms`, or less when one of the signals aborts. */
function sleep(ms: number, signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    const any = AbortSignal.any(signals);
    if (any.aborted) return resolve();
    const timer = setTimeout(done, ms);
    any.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      any.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * A full-screen view on a terminal with plain ANSI sequences: the
 * alternate screen, a hidden cursor, raw keys; everything is restored on
 * close.
 */
class Screen {
  private readonly wasRaw: boolean;

  constructor(private readonly terminal: Terminal) {
    this.wasRaw = terminal.input.isRaw;
    terminal.input.setRawMode(true);
    terminal.input.resume();
    terminal.output.write('\x1b[?1049h\x1b[?25l');
  }

  onKey(listener: (key: string) => void): () => void {
    const onData = (data: Buffer) => {
      for (const key of data.toString('utf8')) listener(key);
    };
    this.terminal.input.on('data', onData);
    return () => this.terminal.input.off('data', onData);
  }

  draw(lines: string[]): void {
    const width = this.terminal.output.columns ?? 120;
    this.terminal.output.write(`\x1b[H\x1b[2J${lines.map((l) => l.slice(0, width)).join('\r\n')}`);
  }

  close(): void {
    this.terminal.output.write('\x1b[?25h\x1b[?1049l');
    this.terminal.input.setRawMode(this.wasRaw);
    this.terminal.input.pause();
  }
}

