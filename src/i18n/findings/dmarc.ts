import type { FindingCatalog } from '../catalog.ts';

export const dmarcFindings = {} satisfies FindingCatalog;
