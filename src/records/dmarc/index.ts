export {
  type BuiltDmarcRecord,
  buildDmarcRecord,
  type DmarcFields,
  type DmarcRecordOptions,
  dmarcRecordName,
  formatDmarcRecord,
  suggestDmarcRecord,
} from './build.ts';
export {
  type DmarcEffect,
  type DmarcLint,
  type DmarcLintContext,
  type DmarcRecord,
  type DmarcTags,
  lintDmarcRecord,
  MAX_DMARC_RECORD_BYTES,
  MAX_DMARC_TAGS,
  MAX_REPORT_URIS,
  type TagValue,
} from './lint.ts';
export * from './tags.ts';
export {
  type ClassifiedTxt,
  classifyDmarcTxt,
  repairDmarcText,
  type TxtKind,
  type VersionFlaw,
} from './text.ts';
export {
  MAX_TREE_WALK_QUERIES,
  selectOrgDomain,
  stopsWalk,
  treeWalkDomains,
  type WalkRecord,
} from './tree-walk.ts';
export { hostName, parseReportUri, type ReportUri, splitUriList, type UriProblem } from './uri.ts';
