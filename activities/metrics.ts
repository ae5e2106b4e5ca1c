import { asyncLocalStorage } from '@temporalio/activity';
import { type MetricMeter, noopMetricMeter } from '@temporalio/common';
import type { SendOutcome } from './email';

// Application counters, recorded through the running activity's metric meter: they reach the worker's Prometheus
// endpoint (GONGKAI_METRICS_ADDRESS) beside the SDK's own metrics, tagged by the SDK with namespace, taskQueue and
// activityType. Labels carry codes only (kinds, outcomes, document types, agency codes), never personal data.
// docs/operations.md "Metrics and alerts" lists them.

export const REMINDERS_SENT_METRIC = 'gongkai_reminders_sent_total';
export const DOCUMENTS_RENDERED_METRIC = 'gongkai_documents_rendered_total';

/** Outside an activity (a direct call in a script or test) nothing is recorded. */
const activityMeter = (): MetricMeter => asyncLocalStorage.getStore()?.metricMeter ?? noopMetricMeter;

/** One reminder or escalation email, by what the ledger decided: sent, already sent before (a retry), rejected for good. */
export function countReminderEmail(labels: { agency: string; kind: string; deadline: string; outcome: SendOutcome }): void {
  activityMeter()
    .createCounter(REMINDERS_SENT_METRIC, '', 'Reminder and escalation emails, by reminder kind, deadline kind and ledger outcome')
    .add(1, labels);
}

/** One letter rendered in one format (a retried activity that finds the letter stored renders nothing). */
export function countDocumentRendered(labels: { document_type: string; format: 'pdf' | 'docx' }): void {
  activityMeter().createCounter(DOCUMENTS_RENDERED_METRIC, '', 'Letters rendered, by document type and format').add(1, labels);
}
