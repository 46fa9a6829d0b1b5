import type { FindingCatalog } from '../catalog.ts';

export const mxFindings = {} satisfies FindingCatalog;
