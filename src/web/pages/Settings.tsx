import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { sourceWords } from '../../i18n/reports.ts';
import { request, withQuery } from '../api.ts';
import { Async, ErrorBox } from '../components/Async.tsx';
import { Pager } from '../components/Pager.tsx';
import { type Column, Table } from '../components/Table.tsx';
import { useWords, type WebKey } from '../i18n.tsx';
import { useResource } from '../resource.ts';
import { asArray, display, isTimeField, numberOf, pick, timestamp } from '../values.ts';
import { RetentionPanel } from './Retention.tsx';
import { sourceFault, sourceStatus } from './source-status.ts';

interface Field {
  name: string;
  label: WebKey;
  /** `list`: comma-separated names sent as an array; `checkbox`: a yes/no sent as a boolean. */
  type?: 'text' | 'password' | 'number' | 'role' | 'list' | 'checkbox';
  required?: boolean;
  /** When the form changes a row (TabSpec.edit): shown and not changed (`fixed`), or left out. */
  inPlace?: 'fixed' | 'hidden';
  /** Changing a row, text the row had and the form emptied is sent as null: the API clears it. */
  clearable?: true;
}

interface TabSpec {
  id: string;
  label: WebKey;
  path: string;
  /** The field that names a row in the URL of its DELETE (and PATCH). */
  idKey?: string;
  /**
   * Rows can be changed in place: the form, filled with the row, PATCHes `path/id` with its
   * fields (empty text fields stay as they are, but for a clearable one the row had).
   * `nameKey`: the field that names the row.
   */
  edit?: { nameKey: string };
  /** Rows can be paused and resumed (their `paused`): a button PATCHes `path/id` with the other. */
  pause?: true;
  fields?: Field[];
  /** A button that POSTs to `path` and says what came of it (`sumi quarantine retry`). */
  action?: { label: WebKey; path: string };
  /** The list comes a page at a time (limit and offset, how many in all as `total`): shown with a pager. */
  paged?: true;
  /** Fields of the rows not shown (too long to read in a table). */
  hidden?: string[];
  /** A panel of its own over `path` instead of a table of rows (the retention policy's form). */
  panel?: (props: { path: string }) => JSX.Element;
}

/** Rows of a paged list shown at once. */
const PAGE = 50;

const TABS: TabSpec[] = [
  {
    id: 'inventory',
    label: 'settings.inventory',
    path: '/api/inventory/domains',
    idKey: 'domain',
    fields: [
      { name: 'domain', label: 'reports.domain', required: true },
      { name: 'note', label: 'settings.note' },
      { name: 'groups', label: 'settings.groups', type: 'list' },
    ],
  },
  {
    id: 'imap',
    label: 'settings.imap',
    path: '/api/imap-sources',
    idKey: 'id',
    edit: { nameKey: 'url' },
    pause: true,
    // Said by the URL beside it; the state's words follow it (sourceStatus).
    hidden: ['service'],
    fields: [
      { name: 'url', label: 'settings.imap-url', required: true },
      { name: 'passwordEnv', label: 'settings.password-env' },
      // Emptied: the source signs in with its password again, as the API's null says.
      { name: 'clientId', label: 'settings.client-id', clearable: true },
      { name: 'secretEnv', label: 'settings.secret-env' },
      { name: 'tenant', label: 'settings.tenant' },
      { name: 'tokenUrl', label: 'settings.token-url' },
      { name: 'graphUrl', label: 'settings.graph-url', clearable: true },
      { name: 'googleKeyEnv', label: 'settings.google-key-env', clearable: true },
      { name: 'archive', label: 'settings.archive' },
      { name: 'leaveOtherMail', label: 'settings.leave-other-mail', type: 'checkbox' },
    ],
  },
  {
    id: 'users',
    label: 'settings.users',
    path: '/api/users',
    idKey: 'id',
    edit: { nameKey: 'username' },
    fields: [
      { name: 'username', label: 'login.username', required: true, inPlace: 'fixed' },
      { name: 'password', label: 'settings.password-optional', type: 'password', inPlace: 'hidden' },
      { name: 'role', label: 'settings.role', type: 'role' },
      { name: 'allDomains', label: 'settings.all-domains', type: 'checkbox' },
      { name: 'domains', label: 'settings.domains', type: 'list' },
      { name: 'groups', label: 'settings.groups', type: 'list' },
    ],
  },
  {
    id: 'tokens',
    label: 'settings.tokens',
    path: '/api/tokens',
    idKey: 'id',
    fields: [{ name: 'name', label: 'settings.token-name', required: true }],
  },
  {
    id: 'quarantine',
    label: 'settings.quarantine',
    path: '/api/quarantine',
    action: { label: 'settings.retry', path: '/api/quarantine/retry' },
    paged: true,
    hidden: ['rawSha256'],
  },
  { id: 'retention', label: 'settings.retention', path: '/api/retention', panel: RetentionPanel },
  { id: 'audit', label: 'settings.audit', path: '/api/audit' },
];

export function Settings() {
  const w = useWords();
  const [active, setActive] = useState(0);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  // Arrow keys move between tabs (WAI-ARIA tabs pattern); Tab moves into the panel.
  const onKey = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    const next = (active + step + TABS.length) % TABS.length;
    setActive(next);
    tabs.current[next]?.focus();
  };
  const tab = TABS[active]!;
  return (
    <>
      <h1>{w.t('settings.title')}</h1>
      <div role="tablist" aria-label={w.t('settings.title')} class="tabs" onKeyDown={onKey}>
        {TABS.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={i === active}
            aria-controls={`panel-${t.id}`}
            tabIndex={i === active ? 0 : -1}
            onClick={() => setActive(i)}
          >
            {w.t(t.label)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab.id}`} aria-labelledby={`tab-${tab.id}`}>
        {tab.panel ? <tab.panel key={tab.id} path={tab.path} /> : <SettingsPanel key={tab.id} tab={tab} />}
      </div>
    </>
  );
}

type Row = Record<string, unknown>;

function SettingsPanel({ tab }: { tab: TabSpec }) {
  const w = useWords();
  const [offset, setOffset] = useState(0);
  const list = useResource<unknown>(tab.paged ? withQuery(tab.path, { limit: PAGE, offset }) : tab.path);
  const [error, setError] = useState<Error>();
  // A token or a setup link is shown once, right after it is made.
  const [secret, setSecret] = useState<{ label: WebKey; value: string }>();
  const [done, setDone] = useState<string>();
  /** The row the form changes, or none: the form adds. */
  const [editing, setEditing] = useState<Row>();
  const form = useRef<HTMLFormElement>(null);
  // Changing a row moves the keyboard to the form it filled.
  useEffect(() => {
    if (editing) form.current?.querySelector<HTMLInputElement>('input, select')?.focus();
  }, [editing]);

  const act = async (action: NonNullable<TabSpec['action']>) => {
    try {
      const answer = await request<Row>(action.path, { json: {} });
      setDone(
        w.t('settings.retried', { released: Number(answer.released), retried: Number(answer.retried) }),
      );
      setError(undefined);
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  /** The URL of a row's DELETE and PATCH. */
  const rowPath = (row: Row) => `${tab.path}/${encodeURIComponent(String(row[tab.idKey!]))}`;

  const remove = async (row: Row) => {
    if (!tab.idKey || !window.confirm(w.t('settings.confirm-delete'))) return;
    try {
      await request(rowPath(row), { method: 'DELETE' });
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  const setPaused = async (row: Row, paused: boolean) => {
    try {
      await request(rowPath(row), { method: 'PATCH', json: { paused } });
      setError(undefined);
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const body: Record<string, unknown> = {};
    for (const field of tab.fields ?? []) {
      const input = form.elements.namedItem(field.name) as HTMLInputElement | null;
      if (!input || (editing && field.inPlace)) continue;
      if (field.type === 'checkbox') {
        body[field.name] = input.checked;
        continue;
      }
      // Changing a row, an emptied list is a list of none, and a clearable field the row had is
      // cleared; other text left empty stays as it is.
      if (input.value === '' && editing && field.clearable && editedText(editing, field.name)) {
        body[field.name] = null;
        continue;
      }
      if (input.value === '' && !(editing && field.type === 'list')) continue;
      body[field.name] =
        field.type === 'number'
          ? Number(input.value)
          : field.type === 'list'
            ? input.value
                .split(',')
                .map((v) => v.trim())
                .filter(Boolean)
            : input.value;
    }
    try {
      if (editing && tab.idKey) {
        await request(rowPath(editing), { method: 'PATCH', json: body });
        setEditing(undefined);
        setSecret(undefined);
        setError(undefined);
        list.reload();
        return;
      }
      const created = await request<Row>(tab.path, { json: body });
      const token = pick(created, 'token');
      const setupUrl = pick(created, 'setupUrl');
      setSecret(
        typeof token === 'string'
          ? { label: 'settings.token-once', value: token }
          : typeof setupUrl === 'string'
            ? { label: 'settings.setup-link', value: setupUrl }
            : undefined,
      );
      setError(undefined);
      form.reset();
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };

  return (
    <>
      {tab.action && (
        <p>
          <button type="button" onClick={() => act(tab.action!)}>
            {w.t(tab.action.label)}
          </button>
        </p>
      )}
      {done && <p role="status">{done}</p>}
      <Async resource={list}>
        {(data) => {
          const rows = asArray<Row>(data, 'domains', 'users', 'tokens', 'sources', 'entries');
          const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter(
            (k) => !/hash|password|secret/i.test(k) && !tab.hidden?.includes(k),
          );
          const columns: Column<Row>[] = keys.map((key) => ({
            key,
            label: w.tMaybe('field.', key),
            render: (r) =>
              isTimeField(key) && r[key] !== null && r[key] !== undefined
                ? timestamp(r[key])
                : key === 'role'
                  ? w.tMaybe('role.', String(r[key]))
                  : key === 'status' && tab.id === 'imap'
                    ? sourceStatus(
                        r[key],
                        String(r.googleKeyEnv ?? r.secretEnv ?? r.passwordEnv ?? ''),
                        r.service,
                        w,
                      )
                    : key === 'fault' && tab.id === 'imap'
                      ? sourceFault(r[key], w)
                      : tab.id === 'quarantine' && (key === 'source' || key === 'sources')
                        ? display(placesIn(r[key], w), w)
                        : display(r[key], w),
          }));
          if (tab.idKey) {
            columns.push({
              key: '_actions',
              label: w.t('settings.actions'),
              render: (r) => (
                <>
                  {tab.edit && (
                    <button type="button" onClick={() => setEditing(r)}>
                      {w.t('settings.edit')}
                    </button>
                  )}{' '}
                  {tab.pause && (
                    <button type="button" onClick={() => setPaused(r, r.paused !== true)}>
                      {w.t(r.paused === true ? 'settings.resume' : 'settings.pause')}
                    </button>
                  )}{' '}
                  <button type="button" class="danger" onClick={() => remove(r)}>
                    {w.t('settings.delete')}
                  </button>
                </>
              ),
            });
          }
          return (
            <>
              <Table caption={w.t(tab.label)} columns={columns} rows={rows} />
              {tab.paged && (
                <Pager
                  offset={offset}
                  shown={rows.length}
                  total={numberOf(pick(data, 'total'))}
                  page={PAGE}
                  onOffset={setOffset}
                />
              )}
            </>
          );
        }}
      </Async>
      {error && <ErrorBox error={error} />}
      {secret && (
        <p class="secret" role="status">
          {w.t(secret.label)} <code>{secret.value}</code>
        </p>
      )}
      {tab.fields && (
        <form
          class="inline-form"
          onSubmit={submit}
          ref={form}
          // A fresh form for each row changed (and for adding), its inputs filled from the row.
          key={editing && tab.idKey ? `edit-${String(editing[tab.idKey])}` : 'add'}
        >
          {editing && tab.edit && (
            <p class="editing">{w.t('settings.editing', { name: String(editing[tab.edit.nameKey]) })}</p>
          )}
          {fieldsShown(tab.fields, editing).map((f) => (
            <div key={f.name} class="field">
              <label for={`${tab.id}-${f.name}`}>{w.t(f.label)}</label>
              {f.type === 'role' ? (
                <select id={`${tab.id}-${f.name}`} name={f.name}>
                  {ROLES.map((role) => (
                    <option
                      key={role}
                      value={role}
                      selected={(editedText(editing, f.name) ?? 'viewer') === role}
                    >
                      {w.t(`role.${role}`)}
                    </option>
                  ))}
                </select>
              ) : f.type === 'password' ? (
                <input
                  id={`${tab.id}-${f.name}`}
                  name={f.name}
                  type="password"
                  required={f.required}
                  autocomplete="new-password"
                />
              ) : f.type === 'checkbox' ? (
                <input
                  id={`${tab.id}-${f.name}`}
                  name={f.name}
                  type="checkbox"
                  defaultChecked={editing?.[f.name] === true}
                />
              ) : f.type === 'number' ? (
                <input
                  id={`${tab.id}-${f.name}`}
                  name={f.name}
                  type="number"
                  required={f.required}
                  defaultValue={editedText(editing, f.name)}
                />
              ) : (
                <input
                  id={`${tab.id}-${f.name}`}
                  name={f.name}
                  type="text"
                  required={f.required}
                  autocomplete="off"
                  defaultValue={editedText(editing, f.name)}
                  disabled={editing !== undefined && f.inPlace === 'fixed'}
                />
              )}
            </div>
          ))}
          <button type="submit" class="primary">
            {w.t(editing ? 'settings.save' : 'settings.add')}
          </button>
          {editing && (
            <button type="button" onClick={() => setEditing(undefined)}>
              {w.t('settings.cancel')}
            </button>
          )}
        </form>
      )}
    </>
  );
}

/** A quarantined input's source, or its list of them, in the reader's words (sourceWords). */
function placesIn(value: unknown, w: ReturnType<typeof useWords>): unknown {
  if (typeof value === 'string') return sourceWords(value, w.lang);
  return Array.isArray(value) ? value.map((each) => placesIn(each, w)) : value;
}

/** The roles a user may have, the least first (what a user added gets unless told). */
const ROLES = ['viewer', 'analyst', 'admin'] as const;

/** The form's fields: when it changes a row, not those left out then. */
function fieldsShown(fields: Field[], editing: Row | undefined): Field[] {
  return editing ? fields.filter((f) => f.inPlace !== 'hidden') : fields;
}

/** A row's field as a text input shows it when the form changes the row (lists comma-separated). */
function editedText(row: Row | undefined, name: string): string | undefined {
  const value = row?.[name];
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}
