import { writeFileSync } from 'node:fs';
import { renderChecksDoc } from '../src/i18n/checks-doc.ts';

writeFileSync(new URL('../docs/checks.md', import.meta.url), renderChecksDoc());
