type Env = Record<string, string | undefined>;

/**
 * Whether this runs in AWS Lambda (`AWS_EXECUTION_ENV` is `AWS_Lambda_<runtime>`): a function then
 * starts building during the init phase, which runs at full CPU before the first event.
 */
export const inLambda = (env: Env): boolean => env.AWS_EXECUTION_ENV?.startsWith('AWS_Lambda_') === true;
