import { DefaultFailureConverter } from '@temporalio/common';

// Loaded by path into the workflow sandbox too, so it imports only @temporalio/common.
// Failure messages and stack traces may quote personal data: put them through the payload codec.
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
