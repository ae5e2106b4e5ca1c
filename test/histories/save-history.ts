import { writeFileSync } from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

/** Writes a workflow's history as the JSON the replay test reads (one field per line, reviewable in a diff). */
export async function saveHistory(handle: WorkflowHandle, file: string): Promise<void> {
  writeFileSync(file, JSON.stringify(JSON.parse(historyToJSON(await handle.fetchHistory())), null, 1) + '\n');
  console.log(`wrote ${file}`);
}
