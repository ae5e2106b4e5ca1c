import { DefaultLogger, type LogEntry, Runtime } from '@temporalio/worker';
import { logger } from './logger';

const PINO_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Routes the SDK's own logs (worker, workflow `log`, activity `log`) into the process logger.
 * Must run before the first worker or native connection is created. The SDK logs at WARN unless
 * GONGKAI_SDK_LOG_LEVEL says otherwise: its INFO includes the whole webpack report on every start.
 */
export function installTemporalRuntime(): void {
  const level = (process.env.GONGKAI_SDK_LOG_LEVEL?.toUpperCase() ?? 'WARN') as keyof typeof PINO_LEVELS;
  // The SDK's Prometheus endpoint (workflow task failures, schedule-to-start latency, …) where GONGKAI_METRICS_ADDRESS says.
  const metricsAddress = process.env.GONGKAI_METRICS_ADDRESS;
  Runtime.install({
    ...(metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } } } : {}),
    logger: new DefaultLogger(level in PINO_LEVELS ? level : 'WARN', (entry: LogEntry) => {
      logger[PINO_LEVELS[entry.level]]({ ...entry.meta, sdk: true }, entry.message);
    }),
  });
}
