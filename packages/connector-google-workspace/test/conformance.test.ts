import { describePsoxyCases } from '../../testkit/test/connector-conformance.js';
import { gcal, gdirectory, gmail } from '../src/index.js';

describePsoxyCases([['GoogleCalendarTests', gcal], ['DirectoryTests', gdirectory], ['GMailTests', gmail]]);
