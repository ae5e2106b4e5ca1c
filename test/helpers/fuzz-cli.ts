import type { Command } from '@commander-js/extra-typings';
import { buildProgram, runCli } from '../../cli/main';

// The gongkai CLI in this process, for fuzzing its argument, option and payload parsing without a process per input:
// the program bin/gongkai.js runs (cli/main.ts buildProgram), with commander's exits turned into errors and every
// output captured. Runs one at a time (it swaps console and process.stdout while a command runs).

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stack trace line (`    at fn (file:1:2)`): a refusal never shows one. */
export const STACK_TRACE = /^\s+at .+(:\d+:\d+\)?|\(native\))$/m;

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

export class InProcessCli {
  private stdout = '';
  private stderr = '';
  private readonly program = buildProgram();

  constructor() {
    const walk = (command: AnyCommand): void => {
      command.exitOverride();
      command.configureOutput({ writeOut: (text) => void (this.stdout += text), writeErr: (text) => void (this.stderr += text) });
      for (const sub of command.commands as AnyCommand[]) walk(sub);
    };
    walk(this.program as unknown as AnyCommand);
  }

  /** `gongkai <args>` with `env` merged into process.env for the run; answers the exit code and what it printed. */
  async run(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
    this.stdout = '';
    this.stderr = '';
    const saved = { log: console.log, error: console.error, warn: console.warn, info: console.info, write: process.stdout.write };
    const savedEnv = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    const format = (parts: unknown[]) => `${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`;
    console.log = console.info = (...parts: unknown[]) => void (this.stdout += format(parts));
    console.error = console.warn = (...parts: unknown[]) => void (this.stderr += format(parts));
    process.stdout.write = ((chunk: string | Uint8Array) => {
      this.stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }) as typeof process.stdout.write;
    Object.assign(process.env, env);
    try {
      const code = await runCli(this.program, args, { from: 'user' });
      return { code, stdout: this.stdout, stderr: this.stderr };
    } finally {
      Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn, info: saved.info });
      process.stdout.write = saved.write;
      for (const [key, value] of Object.entries(savedEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }
}

/**
 * Throws unless `run` is a refusal as the issue asks: a non-zero exit, a message on stderr that names `field` (when
 * given: the option, argument or payload field at fault), and no stack trace anywhere.
 */
export function expectCliRefusal(run: CliRun, what: string, field?: RegExp): string {
  const all = `${run.stdout}\n${run.stderr}`;
  if (run.code === 0) throw new Error(`${what}: exit 0, expected a refusal; stdout ${JSON.stringify(run.stdout.slice(0, 300))}`);
  if (STACK_TRACE.test(all)) throw new Error(`${what}: a stack trace: ${all.slice(0, 600)}`);
  if (run.stderr.trim() === '') throw new Error(`${what}: exit ${run.code} without a message`);
  if (field && !field.test(run.stderr)) throw new Error(`${what}: the message does not name ${field}: ${run.stderr.slice(0, 400)}`);
  return `exit ${run.code}`;
}
