import { describeLinkCompliance } from './compliance';
import { socketHarness, tempSocketDir } from './harness';

const dir = tempSocketDir();
afterAll(() => dir.remove());

let n = 0;
describeLinkCompliance('unix socket', socketHarness(() => `unix://${dir.path(`s${n++}.sock`)}`));
