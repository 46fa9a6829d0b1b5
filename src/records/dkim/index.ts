export {
  DKIM_RSA_MAX_VERIFIED_BITS,
  DKIM_RSA_MIN_BITS,
  DKIM_RSA_RECOMMENDED_BITS,
  type DkimKeyRecord,
  type DkimKeyRecordResult,
  type DkimPublicKey,
  looksLikeDkimKey,
  MAX_DKIM_RECORD_LENGTH,
  parseDkimKeyRecord,
  type Tagged,
} from './key-record.ts';
export { type DecodedKey, decodePublicKey, type KeyDecoding, type PublicKeyFormat } from './public-key.ts';
export { parseTagList, type Tag, type TagList, type TagListError, type TagListProblem } from './tag-list.ts';
