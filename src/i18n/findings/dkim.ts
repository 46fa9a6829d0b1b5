import type { FindingCatalog } from '../catalog.ts';

export const dkimFindings = {} satisfies FindingCatalog;
