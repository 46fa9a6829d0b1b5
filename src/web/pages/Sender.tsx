import { Async } from '../components/Async.tsx';
import { Fields } from '../components/Fields.tsx';
import { AutoTable } from '../components/Table.tsx';
import { useWords } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { href } from '../router.ts';
import { asArray, textOf } from '../values.ts';

/** One sending IP for one domain: who it is (PTR, network), how much it sent, why it fails. */
export function Sender({ domain, ip }: { domain: string; ip: string }) {
  const w = useWords();
  const sender = useResource<Record<string, unknown>>(
    `/api/domains/${encodeURIComponent(domain)}/senders/${encodeURIComponent(ip)}?since=90d`,
  );
  return (
    <>
      <p class="crumbs">
        <a href="#/domains">{w.t('nav.domains')}</a> / <a href={href({ page: 'domain', domain })}>{domain}</a>{' '}
        /
      </p>
      <h1>{ip}</h1>
      <Async resource={sender}>
        {(data) => {
          const reasons = asArray<unknown>(data, 'reasons', 'failReasons');
          const lists = Object.entries(data).filter(
            ([key, value]) =>
              Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && key !== 'reasons',
          ) as [string, object[]][];
          return (
            <>
              <Fields data={data} prefix="field." />
              {reasons.length > 0 && (
                <section aria-labelledby="reasons-h">
                  <h2 id="reasons-h">{w.t('senders.reason')}</h2>
                  <ul class="findings">
                    {reasons.map((r, i) => {
                      const o = (r ?? {}) as Record<string, unknown>;
                      return (
                        <li key={i}>
                          {textOf(o.reason ?? o.message ?? r, w.lang)}
                          {o.fix !== undefined && <div class="fix">{textOf(o.fix, w.lang)}</div>}
                        </li>
                      );
                    })}
                  </ul>
                </section>
              )}
              {lists.map(([key, rows]) => (
                <section key={key} aria-label={w.tMaybe('field.', key)}>
                  <h2>{w.tMaybe('field.', key)}</h2>
                  <AutoTable caption={w.tMaybe('field.', key)} prefix="field." rows={rows} />
                </section>
              ))}
            </>
          );
        }}
      </Async>
    </>
  );
}
