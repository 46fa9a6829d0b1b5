/**
 * A read thread: runs readMessage on inputs the main thread sends, and sends back their parts;
 * parses the large reports the main thread streams to it (stream-parse.ts).
 */
import { parentPort } from 'node:worker_threads';
import { sniff } from '../reports/sniff.ts';
import { InputError, readCappedSync } from './inputs.ts';
import { looksLikeMailbox } from './mbox.ts';
import { readMessage } from './read.ts';
import { type ReadRequest, type ReadResponse, toWire } from './read-pool.ts';
import { type StreamRequest, StreamServer } from './stream-parse.ts';

const LESS_THAN = 0x3c;

if (!parentPort) throw new Error('read-thread.ts runs as a worker thread');
const port = parentPort;

const streams = new StreamServer(port);

port.on('message', async (request: ReadRequest | StreamRequest) => {
  if ('stream' in request) streams.handle(request);
  else port.postMessage(await answer(request));
});

async function answer(request: ReadRequest): Promise<ReadResponse> {
  const { id, input } = request;
  try {
    let bytes: Buffer;
    if ('file' in input) {
      try {
        bytes = readCappedSync(input.file, input.file.max);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return { id, inputError: { code: error.code, args: error.args, message: error.message } };
      }
      if (!input.file.maildir && looksLikeMailbox(bytes, request.name)) return { id, mbox: true, bytes };
    } else {
      bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
    }
    // The main thread has the bytes already unless this thread read them. A file found to be a
    // mail is said to be one (the pool has more threads for mail); a Maildir's are known already.
    // unpack sniffs the bytes again: a report's XML (`<` first) is not made text twice to know it.
    const mail = 'file' in input && !input.file.maildir && bytes[0] !== LESS_THAN && sniff(bytes) === 'mail';
    const echo = 'file' in input ? { bytes, ...(mail ? { mail: true as const } : {}) } : {};
    const parts = [];
    for await (const part of readMessage(bytes, request.name, request.source, request.options)) {
      // A streamed payload reads its bytes lazily: it cannot cross threads, the main thread reads the input.
      if (part.kind === 'payload' && part.payload.stream) return { id, deferred: true, ...echo };
      parts.push(toWire(part));
    }
    return { id, parts, ...echo };
  } catch (error) {
    return { id, failure: (error as Error).stack ?? String(error) };
  }
}
