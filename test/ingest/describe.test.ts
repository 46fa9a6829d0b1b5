/** A refused input described in the user's language, with where in the report the value was. */
import { describe, expect, it } from 'vitest';
import { describeFailure, describeRecount } from '../../src/ingest/describe.ts';
import { emptyTotals } from '../../src/ingest/totals.ts';
import { StoreInputError } from '../../src/store/errors.ts';

const max = Number.MAX_SAFE_INTEGER;

describe('describeFailure of values the store refused', () => {
  const cases: [StoreInputError, string, string][] = [
    [
      new StoreInputError('invalid-count', { record: 3, field: 'count', value: -1 }),
      `r.xml: the store refused a value: record 3: count is -1; a count is a whole number from 0 to ${max}`,
      `r.xml: ストアが値を受け付けませんでした: レコード 3: count が -1 です。件数は 0 から ${max} までの整数です`,
    ],
    [
      new StoreInputError('invalid-source-ip', { record: 0, field: 'source_ip', value: '<script>' }),
      'r.xml: the store refused a value: record 0: source_ip "<script>" is not an IP address',
      'r.xml: ストアが値を受け付けませんでした: レコード 0: source_ip「<script>」は IP アドレスではありません',
    ],
    [
      new StoreInputError('invalid-count', {
        policy: 1,
        detail: 2,
        field: 'failed-session-count',
        value: 1.5,
      }),
      `r.xml: the store refused a value: policy 1 failure detail 2: failed-session-count is 1.5; a count is a whole number from 0 to ${max}`,
      `r.xml: ストアが値を受け付けませんでした: ポリシー 1 の失敗詳細 2: failed-session-count が 1.5 です。件数は 0 から ${max} までの整数です`,
    ],
    [
      new StoreInputError('invalid-number', { field: 'begin', value: Number.NaN }),
      'r.xml: the store refused a value: begin is NaN, not a whole number',
      'r.xml: ストアが値を受け付けませんでした: begin が NaN で、整数ではありません',
    ],
    [
      new StoreInputError('number-too-large', { field: 'Incidents', value: 1e20 }),
      `r.xml: the store refused a value: Incidents is 100000000000000000000, larger than ${max}, the largest whole number stored`,
      `r.xml: ストアが値を受け付けませんでした: Incidents が 100000000000000000000 で、保存できる最大の整数 ${max} を超えています`,
    ],
    [
      new StoreInputError('message-total-too-large', { record: 7, field: 'count' }),
      `r.xml: the store refused a value: record 7: the report's total of count exceeds ${max}`,
      `r.xml: ストアが値を受け付けませんでした: レコード 7: レポートの count の合計が ${max} を超えます`,
    ],
  ];
  it.each(cases)('%s', (error, en, ja) => {
    expect(describeFailure({ source: 'r.xml', error }, 'en')).toBe(en);
    expect(describeFailure({ source: 'r.xml', error }, 'ja')).toBe(ja);
    expect(error.message).toBe(en.slice('r.xml: the store refused a value: '.length));
  });
});

describe('describeRecount', () => {
  const recount = (records: number, messages: number) => ({
    ...emptyTotals(),
    recounted: 2,
    recountChange: { records, messages },
  });

  it('says only the counts that changed, in both languages', () => {
    expect(describeRecount(recount(-5, 79), 'en')).toBe(
      '2 of these were fuller than the copies stored before and are counted in their place, which changed the records counted by -5 and the messages by +79.',
    );
    expect(describeRecount(recount(3, 0), 'en')).toMatch(/, which changed the records counted by \+3\.$/);
    expect(describeRecount(recount(0, 9), 'ja')).toMatch(
      /。これにより集計されるメッセージは \+9 通変わりました。$/,
    );
    // Copies of the same counts (the counted one decided by their hashes): nothing changed.
    expect(describeRecount(recount(0, 0), 'en')).toMatch(
      /, which left the records and messages counted as they were\.$/,
    );
    expect(describeRecount(recount(0, 0), 'ja')).toMatch(
      /。集計されるレコードとメッセージの数は変わりませんでした。$/,
    );
    expect(describeRecount({ ...recount(0, 0), recounted: 0 }, 'en')).toBeNull();
  });
});
