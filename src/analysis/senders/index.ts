export { type AlignmentMode, isAligned, type OrgDomainFn } from './alignment.ts';
export {
  type KnownSender,
  knownSenders,
  type SenderCategory,
  type SenderRule,
  type SenderRuleKind,
} from './catalogue.ts';
export {
  type FailReason,
  type FailReasonCode,
  failReason,
  type ReasonRow,
  reasonRow,
} from './fail-reason.ts';
export { hasSuffix, matchSender, normaliseName, type SenderEvidence, type SenderMatch } from './match.ts';
export { describeFailReason, senderName } from './words.ts';
