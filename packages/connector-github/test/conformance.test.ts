import { describePsoxyCases } from '../../testkit/test/connector-conformance.js';
import { github } from '../src/index.js';

describePsoxyCases([['GitHubTests', github]]);
