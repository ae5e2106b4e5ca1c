// A bad deploy of the request workflow, registered under the same workflow type: every workflow task throws a plain
// Error in workflow code, so the server retries the task again and again and the case stands still. Its message
// quotes an applicant's data the way a careless one might: the alert and the board must not repeat it.

export async function requestWorkflow(): Promise<void> {
  throw new Error('bad deploy: cannot read the application of 张三 (11010519491231002X)');
}
