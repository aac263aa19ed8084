import { describePsoxyCases } from '../../testkit/test/connector-conformance.js';
import { zoom } from '../src/index.js';

describePsoxyCases([['ZoomRulesTests', zoom]]);
