import { ApplicationFailure } from '@temporalio/workflow';

/** A refused act: the caller gets `message`; `type` says why (wrong-role, wrong-stage, invalid-payload, …). */
export const refuse = (type: string, message: string): ApplicationFailure => ApplicationFailure.create({ type, message, nonRetryable: true });
