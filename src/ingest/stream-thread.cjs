// Entry of a thread that parses streamed reports only (see stream-parse.ts): registers tsx as
// read-thread.cjs does, then loads no more than the parse needs.
const { register } = require('tsx/cjs/api');

register();
require('./stream-thread.ts');
