import type { Client } from '@temporalio/client';
import type { Register } from '../register';
import { connectClient } from '../workers/connection';
import { loadConfig, type LoadedConfig } from '../workers/load-config';
import { openConfiguredRegister } from '../workers/open-register';

/** What a CLI command against a running Temporal server works with. */
export interface Session {
  config: LoadedConfig;
  client: Client;
  register: Register;
}

/** Opens the register and a Temporal client for `work`, and closes both after it. */
export async function withSession<T>(work: (session: Session) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const register = await openConfiguredRegister(config);
  try {
    // The connection's error names the address and TLS mode already; the CLI adds where a local server comes from.
    const client = await connectClient(config).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}; is it running (npm start)?`, { cause: err });
    });
    try {
      return await work({ config, client, register });
    } finally {
      await client.connection.close();
    }
  } finally {
    await register.close();
  }
}
