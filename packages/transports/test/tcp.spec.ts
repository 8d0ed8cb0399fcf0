import { describeLinkCompliance } from './compliance.js';
import { socketHarness } from './harness.js';

describeLinkCompliance('TCP', socketHarness(() => 'tcp://127.0.0.1:0'));
