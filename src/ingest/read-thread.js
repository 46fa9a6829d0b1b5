// Entry of a read thread (see read-pool.ts). Worker threads do not inherit the main thread's
// tsx registration (bin/sumi.js), so this plain-JS file registers it before loading the code.
import { register } from 'tsx/esm/api';

register();
await import('./read-thread.ts');
