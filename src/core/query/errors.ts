import { AwsError } from "../errors.js";

/**
 * A cluster query that cannot be parsed or makes no sense. ECS answers these with
 * InvalidParameterException; the message quotes the expression and points at the offset where
 * it broke so the user does not have to guess.
 */
export class QueryError extends AwsError {
  constructor(
    readonly expression: string,
    readonly position: number,
    readonly problem: string,
  ) {
    super("InvalidParameterException", queryErrorMessage(expression, position, problem));
  }
}

const queryErrorMessage = (expression: string, position: number, problem: string): string => {
  const near = expression.slice(position, position + 20);
  const where = position >= expression.length ? "at the end" : `at position ${position + 1} (near '${near}')`;
  return `Invalid cluster query expression "${expression}": ${problem} ${where}.`;
};
