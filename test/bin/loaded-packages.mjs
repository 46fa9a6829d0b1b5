// Preloaded (--import) by test/bin/startup.test.ts: appends each package a command imports to the
// file $SUMI_TEST_LOADED names, through a module resolve hook (hooks run on a thread of their own).
import { register } from 'node:module';

register('./loaded-packages-hooks.mjs', import.meta.url);
