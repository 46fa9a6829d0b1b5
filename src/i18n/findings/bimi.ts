import type { FindingCatalog } from '../catalog.ts';

export const bimiFindings = {} satisfies FindingCatalog;
