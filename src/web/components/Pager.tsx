import { useWords } from '../i18n.tsx';

/** Previous / next over a list the server pages with limit and offset. */
export function Pager({
  offset,
  shown,
  total,
  page,
  onOffset,
}: {
  offset: number;
  shown: number;
  total: number | undefined;
  page: number;
  onOffset: (offset: number) => void;
}) {
  const w = useWords();
  return (
    <div class="pager">
      <button type="button" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - page))}>
        {w.t('common.previous')}
      </button>
      <span>
        {shown > 0
          ? w.t('common.range', {
              from: w.num(offset + 1),
              to: w.num(offset + shown),
              total: w.num(total ?? offset + shown),
            })
          : ''}
      </span>
      <button
        type="button"
        disabled={total !== undefined ? offset + page >= total : shown < page}
        onClick={() => onOffset(offset + page)}
      >
        {w.t('common.next')}
      </button>
    </div>
  );
}
