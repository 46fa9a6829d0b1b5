/**
 * A throwaway Dovecot IMAP server for tests: its own config, mail and state in a temp dir, plain
 * auth with one static password, a random port on 127.0.0.1, running as the current user.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';

export const DOVECOT = '/usr/sbin/dovecot';
export const dovecotInstalled = existsSync(DOVECOT) && existsSync('/usr/lib/dovecot/imap');

export interface Dovecot {
  port: number;
  /** Implicit-TLS port, when started with a certificate. */
  tlsPort: number | null;
  password: string;
  dir: string;
  stop(): Promise<void>;
  log(): Promise<string>;
}

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * With `tls`, STARTTLS is offered on the plain port and implicit TLS listens on `tlsPort`. With
 * `oauth2`, logins are by OAuth 2.0 bearer token only (XOAUTH2, OAUTHBEARER), each token checked
 * by POSTing it to `introspectionUrl` (RFC 7662), as a mailbox provider's server does.
 */
export async function startDovecot(
  options: { tls?: { cert: string; key: string }; oauth2?: { introspectionUrl: string } } = {},
): Promise<Dovecot> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sumi-dovecot-'));
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : null;
  if (options.tls) {
    await writeFile(path.join(dir, 'cert.pem'), options.tls.cert);
    await writeFile(path.join(dir, 'key.pem'), options.tls.key, { mode: 0o600 });
  }
  const ssl = options.tls ? `ssl = yes\nssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem` : 'ssl = no';
  const password = 'lab-password';
  const me = userInfo();
  for (const sub of ['run', 'state', 'mail', 'home']) await mkdir(path.join(dir, sub), { recursive: true });
  // Dovecot never delivers mail as root: as root, the mail belongs to the package's dovecot user.
  const mailUser = me.uid === 0 ? passwdEntry('dovecot') : { uid: me.uid, gid: me.gid };
  for (const sub of ['mail', 'home']) await chown(path.join(dir, sub), mailUser.uid, mailUser.gid);
  // The login processes run as another user and must reach their sockets under run/.
  await chmod(dir, 0o755);
  await chmod(path.join(dir, 'run'), 0o755);
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
${ssl}
disable_plaintext_auth = no
auth_mechanisms = ${options.oauth2 ? 'xoauth2 oauthbearer' : 'plain login'}
mail_location = maildir:${dir}/mail/%n
first_valid_uid = 0
${serviceUsers(me.uid === 0 ? null : me.username)}
${
  options.oauth2
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}`
    : `passdb {
  driver = static
  args = password=${password}
}`
}
userdb {
  driver = static
  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${dir}/home/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort ?? 0}
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`;
  if (options.oauth2) {
    await writeFile(
      path.join(dir, 'oauth2.conf.ext'),
      `introspection_mode = post\nintrospection_url = ${options.oauth2.introspectionUrl}\n` +
        'username_attribute = username\nactive_attribute = active\nactive_value = true\n',
    );
  }
  const configFile = path.join(dir, 'dovecot.conf');
  await writeFile(configFile, config);
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(DOVECOT, ['-F', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`dovecot exited: ${stderr}`);
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`dovecot did not listen on ${port}: ${stderr}`);
  };
  const stop = async () => {
    const running = child as ChildProcess | null;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    tlsPort,
    password,
    dir,
    stop: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
    log: () => readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => ''),
  };
}

/**
 * Dovecot's login processes refuse to run as root: as root, the package's own unprivileged
 * users serve them; as anyone else, that user runs everything.
 */
function serviceUsers(user: string | null): string {
  if (user === null) return 'default_internal_user = dovecot\ndefault_login_user = dovenull';
  return `default_internal_user = ${user}\ndefault_internal_group = ${groupName()}\ndefault_login_user = ${user}`;
}

function passwdEntry(name: string): { uid: number; gid: number } {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(`no user ${name} (is dovecot-core installed?)`);
}

/** The current user's primary group name (dovecot wants a name, not an id). */
function groupName(): string {
  const gid = userInfo().gid;
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const [name, , id] = line.split(':');
    if (name && Number(id) === gid) return name;
  }
  return String(gid);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * A TCP relay to a local port whose connections the test can cut, like a network fault; it keeps
 * the lines clients sent (IMAP commands), for tests of how many round trips an ingest takes.
 * With `delayMs`, every chunk is held that long in each direction: a server 2 x delayMs away,
 * for the IMAP bench (chunks keep their order: timers of one duration fire as they were set).
 * With `answers`, what the server sends is rewritten (each chunk as latin1 text): a server that
 * answers otherwise than Dovecot. With `cutOn`, a client's chunk that matches is not passed on:
 * the connections are cut instead, the network failing under that command.
 */
export async function startRelay(
  targetPort: number,
  {
    delayMs = 0,
    answers,
    cutOn,
  }: { delayMs?: number; answers?: (text: string) => string; cutOn?: RegExp } = {},
): Promise<{ port: number; cut(): void; close(): Promise<void>; sent(): string[] }> {
  const sockets = new Set<net.Socket>();
  let sent = '';
  const later = (work: () => void) => (delayMs > 0 ? setTimeout(work, delayMs) : work());
  const cut = () => {
    for (const s of sockets) s.destroy();
  };
  const relay = (from: net.Socket, to: net.Socket, rewrite?: (text: string) => string, cutting?: RegExp) => {
    sockets.add(from);
    from.on('error', () => to.destroy());
    from.on('data', (chunk: Buffer) => {
      if (cutting?.test(chunk.toString('latin1'))) return cut();
      later(() => to.write(rewrite ? Buffer.from(rewrite(chunk.toString('latin1')), 'latin1') : chunk));
    });
    from.on('close', () => {
      sockets.delete(from);
      later(() => to.end());
    });
  };
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    inbound.on('data', (data: Buffer) => {
      sent += data.toString('latin1');
    });
    relay(inbound, outbound, undefined, cutOn);
    relay(outbound, inbound, answers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut,
    close: () =>
      new Promise<void>((resolve) => {
        cut();
        server.close(() => resolve());
      }),
    sent: () => sent.split('\r\n').filter(Boolean),
  };
}

/**
 * Runs `work` on a connection to the test server logged in as `user` (with the server's password,
 * or `accessToken` for an oauth2 server), then logs out. `tls`: over the implicit-TLS port.
 */
export async function withImap<T>(
  dovecot: Dovecot,
  login: { user: string; accessToken?: string; tls?: boolean },
  work: (client: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    logger: false,
    auth:
      login.accessToken === undefined
        ? { user: login.user, pass: dovecot.password }
        : { user: login.user, accessToken: login.accessToken },
    ...(login.tls
      ? { port: dovecot.tlsPort!, secure: true, tls: { rejectUnauthorized: false } }
      : { port: dovecot.port, secure: false, doSTARTTLS: false }),
  });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout();
  }
}

/** Appends one mail to the INBOX of `user` (see withImap). */
export function appendMail(
  dovecot: Dovecot,
  login: { user: string; accessToken?: string; tls?: boolean },
  mail: string,
): Promise<unknown> {
  return withImap(dovecot, login, (client) => client.append('INBOX', mail));
}
