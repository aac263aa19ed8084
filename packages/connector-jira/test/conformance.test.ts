import { describePsoxyCases } from '../../testkit/test/connector-conformance.js';
import { jiraCloud } from '../src/index.js';

describePsoxyCases([['JiraCloudTests', jiraCloud]]);
