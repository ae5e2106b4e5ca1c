import type { z } from 'zod';

/** One refused field: its dotted path in the input and why it was refused. */
export interface FieldProblem {
  field: string;
  message: string;
}

export function fieldProblems(error: z.ZodError): FieldProblem[] {
  return error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

/** Raised when input fails its schema; the message names every refused field and never echoes the values. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly subject: string,
    readonly problems: FieldProblem[],
  ) {
    super(`${subject}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  }
}

/** Parses `input` with `schema`, or throws an InvalidInputError naming each refused field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, subject: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(subject, fieldProblems(result.error));
  return result.data;
}
