import type { FindingCatalog } from '../catalog.ts';

export const tlsRptFindings = {} satisfies FindingCatalog;
