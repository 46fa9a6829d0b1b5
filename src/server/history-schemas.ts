/**
 * The answers of the policy history and failure report routes, for the OpenAPI document. Typed
 * against the analysis functions' results, and strict: test/server/history.test.ts parses real
 * answers with them, so a field added or changed there fails until it is described here.
 */
import { z } from 'zod';
import type { FailuresView } from '../analysis/failures.ts';
import type { PolicyHistory } from '../analysis/history.ts';

const policyValue = z.enum(['none', 'quarantine', 'reject']);

const publishedPolicy = z.strictObject({
  p: policyValue.nullable(),
  sp: z.string().nullable(),
  np: z.string().nullable(),
  pct: z.number().nullable(),
  testing: z.boolean(),
  rua: z.boolean().nullable(),
});

const stepEffect = z.strictObject({
  from: z.string().nullable(),
  to: z.string().nullable(),
  days: z.number(),
  messages: z.number(),
  dmarcFail: z.number(),
  affected: z.number(),
  legitimateAffected: z.number(),
  unauthorisedAffected: z.number(),
  quarantined: z.number(),
  rejected: z.number(),
});

export const policyHistorySchema: z.ZodType<PolicyHistory> = z.strictObject({
  domain: z.string(),
  since: z.string(),
  until: z.string(),
  days: z.array(
    z.strictObject({
      day: z.string(),
      policy: publishedPolicy,
      source: z.enum(['reports', 'check']),
      reports: z.number(),
      checks: z.number(),
      disagreeing: z.number(),
    }),
  ),
  steps: z.array(
    z.strictObject({
      day: z.string(),
      from: publishedPolicy,
      to: publishedPolicy,
      direction: z.enum(['stricter', 'looser', 'other']),
      before: stepEffect,
      after: stepEffect,
    }),
  ),
});

const relation = z.enum(['exact', 'subdomain', 'same-organisation', 'look-alike', 'unrelated']);
const why = z.enum(['edit-distance', 'confusable', 'other-suffix', 'contains-name']);

const identity = z.strictObject({
  value: z.string(),
  domain: z.string(),
  relation,
  why: why.optional(),
});

export const failuresViewSchema: z.ZodType<FailuresView> = z.strictObject({
  domain: z.string(),
  since: z.string().nullable(),
  until: z.string().nullable(),
  reports: z.number(),
  incidents: z.number(),
  truncated: z.boolean(),
  carried: z.strictObject({
    headers: z.number(),
    subject: z.number(),
    body: z.number(),
    urls: z.number(),
    redacted: z.number(),
    noOriginal: z.number(),
  }),
  aggregateFailing: z.number(),
  bySender: z.array(
    z.strictObject({
      ip: z.string(),
      ptr: z.string().nullable(),
      asn: z.number().nullable(),
      asOrg: z.string().nullable(),
      country: z.string().nullable(),
      reports: z.number(),
      incidents: z.number(),
      first: z.string().nullable(),
      last: z.string().nullable(),
      fromDomains: z.array(z.string()),
      subjects: z.array(z.string()),
    }),
  ),
  byIdentity: z.array(
    z.strictObject({
      domain: z.string(),
      relation,
      why: why.optional(),
      reports: z.number(),
      incidents: z.number(),
      senders: z.array(z.string()),
      subjects: z.array(z.string()),
    }),
  ),
  items: z.array(
    z.strictObject({
      id: z.number(),
      arrival: z.string().nullable(),
      reporter: z.string().nullable(),
      sourceIp: z.string().nullable(),
      authFailure: z.string().nullable(),
      deliveryResult: z.string().nullable(),
      identityAlignment: z.string().nullable(),
      incidents: z.number(),
      from: identity.nullable(),
      mailFrom: identity.nullable(),
      replyTo: identity.nullable(),
      reportedDomains: z.array(z.string()),
      subject: z.string().nullable(),
      date: z.string().nullable(),
      messageId: z.string().nullable(),
      recipients: z.array(z.string()),
      originalForm: z.string().nullable(),
      headers: z.array(z.strictObject({ name: z.string(), value: z.string() })),
      body: z.string().nullable(),
      redactedByReporter: z.boolean(),
      urls: z.array(z.string()),
      dkim: z.strictObject({ domain: z.string().nullable(), selector: z.string().nullable() }),
      authenticationResults: z.array(z.string()),
      carries: z.array(z.enum(['headers', 'subject', 'recipients', 'body', 'urls'])),
    }),
  ),
  cannotTell: z.array(z.string()),
});
