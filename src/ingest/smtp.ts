/**
 * `sumi smtpd`: Sumi as the rua/ruf mailbox itself. Recipients outside the accepted list are
 * refused at RCPT; a mail over the size limit is refused; a mail is answered 250 only once its
 * reports are committed (or it is quarantined), and 451 when the store fails, so the sender
 * keeps it and retries. No mail is ever acknowledged and then lost.
 */
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { domainToASCII } from 'node:url';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { hostPort } from '../net/address.ts';
import type { Store } from '../store/types.ts';
import { ingestMessage, type MessageOutcome } from './message.ts';

/** Largest mail accepted by default. Report mails are under 10 MB; big zips reach tens. */
export const SMTP_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Recipients one mail may have. */
export const SMTP_MAX_RECIPIENTS = 100;
/** Connections served at once. */
export const SMTP_MAX_CLIENTS = 100;
/** An idle or slow client is dropped after this long. */
export const SMTP_SOCKET_TIMEOUT_MS = 120_000;

export interface SmtpReceiverOptions {
  store: Store;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Addresses mail is accepted for (case-insensitive; the domain in punycode or Unicode). */
  accept: readonly string[];
  maxBytes?: number;
  /** PEM certificate and key: STARTTLS is offered only with them. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Name in the greeting and EHLO answer. */
  hostname?: string;
  /** After each mail, whatever came of it. */
  onMessage?: (source: string, outcome: MessageOutcome) => void;
  /** A mail answered 451 because ingesting it failed. */
  onError?: (source: string, error: unknown) => void;
}

export interface SmtpReceiver {
  /** host:port it listens on. */
  address: string;
  port: number;
  /**
   * Stops taking mail: idle connections are told 421 and closed at once, a mail being received
   * (DATA) is stored and answered first.
   */
  close(): Promise<void>;
}

/**
 * What OpenSSL refuses of a STARTTLS certificate and key, loading them as the server will: the
 * certificate, the key (or a key with a passphrase, which the server is not given), or the pair
 * (the key is not the certificate's). Undefined when the server can use them.
 */
export function tlsFault(tls: {
  cert: string | Buffer;
  key: string | Buffer;
}): 'cert' | 'key' | 'pair' | undefined {
  const loads = [
    ['cert', { cert: tls.cert }],
    ['key', { key: tls.key }],
    ['pair', tls],
  ] as const;
  for (const [fault, files] of loads) {
    try {
      createSecureContext(files);
    } catch {
      return fault;
    }
  }
  return undefined;
}

export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  const accepted = new Set(options.accept.map((a) => mailboxKey(a.trim())));
  const maxBytes = options.maxBytes ?? SMTP_MAX_MESSAGE_BYTES;
  // Sessions whose mail is being received or stored: the ones a close waits for.
  const receiving = new Set<SMTPServerSession>();
  let closing = false;
  const config: SMTPServerOptions = {
    name: options.hostname,
    banner: 'Sumi DMARC report receiver',
    size: maxBytes,
    authOptional: true,
    disabledCommands: options.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    logger: false,
    maxClients: SMTP_MAX_CLIENTS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    onRcptTo(address, session, callback) {
      if (!accepted.has(mailboxKey(address.address))) {
        callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here`));
        return;
      }
      if (session.envelope.rcptTo.length >= SMTP_MAX_RECIPIENTS) {
        callback(smtpError(452, '4.5.3 too many recipients'));
        return;
      }
      callback();
    },
    onData(stream, session, reply) {
      receiving.add(session);
      const callback = (error: Error | null, message?: string) => {
        receiving.delete(session);
        reply(error, message);
        // The mail answered, its connection is idle: it need not stay open through the close.
        if (closing) closeIdle();
      };
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if ((stream as { sizeExceeded?: boolean }).sizeExceeded || size > maxBytes) {
          callback(smtpError(552, `5.3.4 message too big (limit ${maxBytes} bytes)`));
          return;
        }
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const source = `smtp://${session.remoteAddress}/${session.id} from <${from}>`;
        ingestMessage(options.store, Buffer.concat(chunks, size), 'mail.eml', source, {
          receivedAt: Math.floor(Date.now() / 1000),
        }).then(
          (outcome) => {
            options.onMessage?.(source, outcome);
            callback(null, storedReply(outcome));
          },
          (error: unknown) => {
            options.onError?.(source, error);
            callback(smtpError(451, '4.3.0 could not store the message now; try again later'));
          },
        );
      });
    },
    onClose(session) {
      // A client gone in the middle of DATA: its stream never ends, nor is its mail answered.
      receiving.delete(session);
    },
  };
  const server = new SMTPServer(config);
  server.on('error', () => {
    // Per-connection errors (a client hanging up mid-command) are the client's problem.
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  // smtp-server's close waits 30 s for open connections, and an MTA keeps an idle one for its next
  // mail. Nor can a transaction before DATA end in a mail once closing (smtp-server answers any
  // command 421), so only a mail being received is waited for.
  const closeIdle = () => {
    for (const connection of server.connections) {
      if (!receiving.has(connection.session)) connection.send(421, 'Server shutting down');
    }
  };
  return {
    address: hostPort(options.host, port),
    port,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        closeIdle();
      }),
  };
}

/**
 * The 250 reply's text (English: protocol text, read in the sender's logs): the new reports apart
 * from those already stored, so that a duplicate does not read as stored.
 */
function storedReply(outcome: MessageOutcome): string {
  if (outcome.quarantined) return 'kept (no report found)';
  const duplicates = outcome.reports.filter((report) => report.status === 'duplicate').length;
  const stored = outcome.reports.length - duplicates;
  const reports = (n: number) => `${n} report${n === 1 ? '' : 's'}`;
  if (duplicates === 0) return `stored ${reports(stored)}`;
  if (stored === 0) return `${reports(duplicates)} already stored`;
  return `stored ${reports(stored)}, ${reports(duplicates)} already stored`;
}

/**
 * An address as recipients are matched: lowercased, its domain in ASCII (punycode). smtp-server
 * gives an RCPT's domain in Unicode, while a rua=mailto: address in DNS, the one an admin copies
 * to --accept, is in punycode.
 */
function mailboxKey(address: string): string {
  const at = address.lastIndexOf('@');
  // RCPT TO:<postmaster> has no domain.
  if (at === -1) return address.toLowerCase();
  const domain = address.slice(at + 1);
  // '' for what is no domain name (an address literal, [192.0.2.1]): compared as written.
  return `${address.slice(0, at).toLowerCase()}@${domainToASCII(domain) || domain.toLowerCase()}`;
}

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}
