import type { FindingCatalog } from '../catalog.ts';

export const dnsFindings = {} satisfies FindingCatalog;
