import { Command, CommanderError, type ParseOptions } from '@commander-js/extra-typings';
import { InvalidInputError } from '../domain/validation';
import { backupCommand, restoreCommand } from './backup';
import { calendarCommand } from './calendar';
import { actCommand, listCommand, showCommand, submitCommand } from './cases';
import { deadlineCommand } from './deadline';
import { mailCommand } from './mail';
import { remedyCommand } from './remedy';
import { reportCommand } from './report';
import { loadConfig } from '../workers/load-config';
import { openConfiguredRegister } from '../workers/open-register';
import { buildWebApp } from '../web/app';
import { loadSessionSecret } from '../web/session';
import { connectClient, connectWorkerConnection } from '../workers/connection';
import { logger } from '../workers/logger';
import { installTemporalRuntime } from '../workers/runtime';
import { runLocalStack } from '../workers/start-local';
import { createWorker } from '../workers/worker';
import { startWorkerServices } from '../workers/worker-services';
import { wholeNumberOption } from './options';

const parsePort = wholeNumberOption(0, 65535, 'a port number 0-65535');

/**
 * The gongkai program with every command, not yet parsed: bin/gongkai.js runs it on process.argv, and the fuzz tests
 * parse it in-process (commander restores each command's option values before every parse).
 */
export function buildProgram() {
  const program = new Command()
    .name('gongkai')
    .description('Requests for disclosure of government information (政府信息公开申请), on Temporal')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the embedded stack: Temporal dev server on data/temporal/dev.sqlite, the worker, the web app (port 3000) and the local mail capture')
    .option('--ui-port <port>', 'port of the Temporal Web UI (0: headless)', parsePort, 8233)
    .action(async (opts) => {
      installTemporalRuntime();
      await runLocalStack(loadConfig(), { uiPort: opts.uiPort });
    });

  program
    .command('worker')
    .description('run a worker against the configured Temporal server (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...)')
    .action(async () => {
      installTemporalRuntime();
      const config = loadConfig();
      const register = await openConfiguredRegister(config);
      const connection = await connectWorkerConnection(config);
      const client = await connectClient(config);
      try {
        const worker = await createWorker(config, connection, register);
        const stopServices = await startWorkerServices({ config, client, register });
        logger.info({ address: config.temporal.address, taskQueue: config.temporal.taskQueue }, 'worker running');
        try {
          await worker.run();
        } finally {
          await stopServices();
        }
      } finally {
        await client.connection.close();
        await connection.close();
        await register.close();
      }
    });

  program
    .command('web')
    .description('run the web app against the configured Temporal server and register (GONGKAI_WEB_HOST, GONGKAI_WEB_PORT)')
    .action(async () => {
      const config = loadConfig();
      const register = await openConfiguredRegister(config);
      const client = await connectClient(config);
      const web = await buildWebApp({ config, client, register, sessionSecret: loadSessionSecret(process.env, config.dataDir), logger });
      const stop = async () => {
        await web.close();
        await client.connection.close();
        await register.close();
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      await web.listen({ host: config.web.host, port: config.web.port });
      logger.info({ web: `http://${config.web.host}:${config.web.port}` }, 'web app ready');
    });

  program.addCommand(deadlineCommand);
  program.addCommand(mailCommand);
  program.addCommand(calendarCommand);
  program.addCommand(reportCommand);
  program.addCommand(remedyCommand);
  for (const command of [backupCommand, restoreCommand]) program.addCommand(command);
  for (const command of [submitCommand, showCommand, actCommand, listCommand]) program.addCommand(command);
  return program;
}

/**
 * Parses `argv` (process.argv by default) and runs the command; answers the exit code. A refusal prints
 * `gongkai: …` naming the field, never a stack trace. With exitOverride, commander's own refusals (unknown option,
 * missing argument) come back as a CommanderError, whose message commander has printed already.
 */
export async function runCli(program: ReturnType<typeof buildProgram>, argv?: readonly string[], parseOptions?: ParseOptions): Promise<number> {
  try {
    await program.parseAsync(argv, parseOptions);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof InvalidInputError) {
      console.error(`gongkai: ${err.subject}:`);
      for (const problem of err.problems) console.error(`  ${problem.field}: ${problem.message}`);
    } else {
      console.error(`gongkai: ${err instanceof Error ? err.message : String(err)}`);
    }
    return 1;
  }
}
