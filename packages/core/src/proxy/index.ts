export {
  createProxy,
  PSOXY_TS_VERSION,
  type ExchangeHandler,
  type ProxyHandler,
  type ProxyOptions,
  type ProxyOutputs,
  type ProxyRequest,
  type ProxyResponse,
  type RequestInfo,
} from './handler.js';
export { readIncomingBody } from './body.js';
export { ProxyError, type ErrorCause } from './errors.js';
export { parseIpBlocks, ipAllowed } from './ip.js';
export { callerOrigin, checkRawPath, normalizeInboundPath } from './target.js';
export { ConfigError, proxySettingsFromEnv, pseudonymizerFromSecrets, targetFromHost, type ProxySettings } from './config.js';
export { composeProxy, type ComposeProxyOptions } from './compose.js';
export { startupFailure, startupFailureExchange, startupHealthCheck, type StartupFailure } from './startup.js';
export { GENERIC_SOURCE_AUTH, sourceAuthFromEnv } from './source-auth.js';
export {
  asyncOutputKey,
  fitMetadata,
  isFinalFailure,
  outputKey,
  PROCESSING_CONTEXT_ATTRIBUTE,
  parseProcessingContext,
  requestFromQueue,
  type AsyncDispatcher,
  type OutputMeta,
  type ProcessingContext,
  type QueuedRequest,
  type ResponseOutput,
} from './outputs.js';
