import { describeLinkCompliance } from './compliance.js';
import { socketHarness } from './harness.js';

describeLinkCompliance('WebSocket', socketHarness(() => 'ws://127.0.0.1:0/streamtasks'));
