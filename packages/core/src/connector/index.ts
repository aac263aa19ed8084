export {
  defineConnector,
  isConnector,
  connectorRules,
  connectorTarget,
  ConnectorDefinitionError,
  type Connector,
  type ConnectorDefinition,
  type ConnectorSetting,
  type ConnectorDocs,
  type ConnectorConfig,
} from './define.js';
export { connectorConfigFromEnv, defaultConnectorConfig, secretPrefix } from './config.js';
