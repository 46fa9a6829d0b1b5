import type { FindingCatalog } from '../catalog.ts';

export const mtaStsFindings = {} satisfies FindingCatalog;
