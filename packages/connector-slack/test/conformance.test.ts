import { describePsoxyCases } from '../../testkit/test/connector-conformance.js';
import { slackDiscoveryApi } from '../src/index.js';

describePsoxyCases([['SlackDiscoveryTests', slackDiscoveryApi]]);
