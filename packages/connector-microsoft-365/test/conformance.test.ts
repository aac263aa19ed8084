import { describePsoxyCases } from '../../testkit/test/connector-conformance.js';
import { msftEntraId, outlookMail } from '../src/index.js';

describePsoxyCases([['EntraIDTests', msftEntraId], ['MailTests', outlookMail]]);
