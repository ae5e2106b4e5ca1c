// The workflows gongkai's worker runs: one request workflow per request for disclosure.
export { requestWorkflow } from './request/workflow';
export { dailyDigestWorkflow } from './digest';
