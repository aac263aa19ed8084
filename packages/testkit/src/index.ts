/**
 * @psoxy/testkit: what a connector author needs to prove a connector, for any test runner.
 * @module
 */
export { startFakeUpstream, type FakeUpstream, type RecordedRoute } from './upstream.js';
export { startTokenEndpoint, verifyJwt, rsaKeyPair, type TokenEndpoint, type TokenAnswer, type VerifiedJwt } from './token-endpoint.js';
export { runGoldenFiles, testConfig, type GoldenCase, type GoldenOptions, type GoldenResult } from './golden.js';
export { checkAllowlist } from './allowlist.js';
export { startConnectorProxy, redirectingFetch, type ConnectorProxyOptions } from './proxy.js';
export { startLoopback, type RecordedRequest, type LoopbackServer, type LoopbackOptions } from './server.js';
export { testCertificate, type TestCertificate } from './certificate.js';
export { runPsoxyCases, checkReadme, type PsoxyCase } from './psoxy-cases.js';
export { startFakeSsm, type FakeSsm } from './fake-ssm.js';
export { startFakeSqs, type FakeSqs, type FakeSqsMessage } from './fake-sqs.js';
export { startFakePubSub, type FakePubSub, type FakePubSubMessage } from './fake-pubsub.js';
export { startFakeSecretManager, type FakeSecretManager, type FakeSecret, type FakeVersion } from './fake-secret-manager.js';
export { startFakeGcs, type FakeGcs, type FakeObject, type FakeUploadSession } from './fake-gcs.js';
export { startSampleProxy, SAMPLE_RULES, SAMPLE_USERS, type SampleProxy } from './sample-proxy.js';
