import { describeLinkCompliance } from './compliance';
import { socketHarness } from './harness';

describeLinkCompliance('WebSocket', socketHarness(() => 'ws://127.0.0.1:0/streamtasks'));
