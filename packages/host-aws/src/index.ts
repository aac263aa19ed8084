/**
 * @psoxy/host-aws: psoxy on AWS Lambda.
 * @module
 */
export { lambdaApiHandler, processQueuedRecords } from './api.js';
export type { HttpEvent, HttpEventV1, HttpEventV2, HttpResultV1, HttpResultV2, SqsEvent, SqsRecord } from './events.js';
export { S3ResponseOutput, SqsDispatcher, parseS3Uri } from './outputs.js';
export { S3ObjectStore, s3BulkHandler, decodeS3Key, type S3Event } from './s3.js';
export { SsmParameterReader, SsmSecretStore, SsmLease, type SsmSecretStoreOptions } from './ssm.js';
export { createLambdaApiHandler, type LambdaApiOptions } from './lambda.js';
export { createS3BulkHandler, type S3BulkOptions } from './bulk.js';
export { awsSecrets } from './secrets.js';
export { SecretsManagerStore } from './secrets-manager.js';
export { AwsJsonClient, AwsServiceError, type AwsJsonClientOptions, type AwsCredentials } from './aws-json.js';
export { cognitoDeveloperIdentity } from './cognito.js';
