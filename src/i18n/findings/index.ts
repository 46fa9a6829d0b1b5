import type { FindingCatalog, FindingEntry } from '../catalog.ts';
import { bimiFindings } from './bimi.ts';
import { dkimFindings } from './dkim.ts';
import { dmarcFindings } from './dmarc.ts';
import { dnsFindings } from './dns.ts';
import { mtaStsFindings } from './mta-sts.ts';
import { mxFindings } from './mx.ts';
import { spfFindings } from './spf.ts';
import { tlsRptFindings } from './tls-rpt.ts';

const merged = {
  ...dnsFindings,
  ...spfFindings,
  ...dmarcFindings,
  ...dkimFindings,
  ...bimiFindings,
  ...mtaStsFindings,
  ...tlsRptFindings,
  ...mxFindings,
} satisfies FindingCatalog;

export type FindingCode = keyof typeof merged;

/** Every finding code Sumi can report, with its severity and its words in each language. */
export const findingCatalog: Record<FindingCode, FindingEntry> = merged;
