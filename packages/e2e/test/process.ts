import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

/** The built command line (the test target depends on the builds). */
export const CLI = path.resolve(__dirname, '../../cli/dist/cli.js');

let processCount = 0;

/** A running `streamtasks` process whose output lines can be awaited. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private waiters: Array<{ re: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      // Each process its own node name, so that nodes started side by side do not share a node socket.
      env: { ...process.env, NODE_NAME: `e2e-${process.pid}-${processCount++}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const [stream, lines] of [[this.child.stdout!, this.stdout], [this.child.stderr!, this.stderr]] as const) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        for (const w of [...this.waiters]) {
          const m = line.match(w.re);
          if (m) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      });
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Resolves with the first output line (stdout or stderr, already seen or coming) matching `re`. */
  waitFor(re: RegExp, timeout = 10_000): Promise<RegExpMatchArray> {
    for (const line of [...this.stdout, ...this.stderr]) {
      const m = line.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no line matching ${re} within ${timeout} ms; stdout: ${this.stdout.join(' | ')}; stderr: ${this.stderr.join(' | ')}`));
      }, timeout);
      const done = (m: RegExpMatchArray) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ re, resolve: done });
    });
  }

  /** Stops the process with SIGINT and resolves with its exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
    return this.exited;
  }

  kill(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }
}

/** Runs a command to completion. */
export async function run(args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string[]; stderr: string[] }> {
  const p = new CliProcess(args, env);
  const code = await p.exited;
  // readline may still deliver buffered lines after 'exit'.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: p.stdout, stderr: p.stderr };
}

/** Starts `streamtasks node` with the given arguments and waits for its first listening URL. */
export async function startNodeProcess(args: string[]): Promise<{ node: CliProcess; url: string }> {
  const node = new CliProcess(['node', ...args]);
  const [, url] = await node.waitFor(/listening on (\S+)/);
  await node.waitFor(/ready$/);
  return { node, url: url! };
}
