import { describeLinkCompliance } from './compliance.js';
import { socketHarness, tempSocketDir } from './harness.js';

const dir = tempSocketDir();
afterAll(() => dir.remove());

let n = 0;
describeLinkCompliance('unix socket', socketHarness(() => `unix://${dir.path(`s${n++}.sock`)}`));
