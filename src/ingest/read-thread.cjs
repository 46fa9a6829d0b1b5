// Entry of a read thread (see read-pool.ts). Worker threads do not inherit the main thread's
// tsx registration (bin/sumi.js), so this file registers it before loading the code: tsx's
// CommonJS hook, which transforms in this thread; its ESM hook starts a loader thread of its
// own first (measured: 340 ms from the thread's start to its first answer, 200 ms this way).
const { register } = require('tsx/cjs/api');

register();
require('./read-thread.ts');
