import { describePsoxyCases } from '../../testkit/test/connector-conformance.js';
import { asana } from '../src/index.js';

describePsoxyCases([['AsanaTests', asana]]);
