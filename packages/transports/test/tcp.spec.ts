import { describeLinkCompliance } from './compliance';
import { socketHarness } from './harness';

describeLinkCompliance('TCP', socketHarness(() => 'tcp://127.0.0.1:0'));
