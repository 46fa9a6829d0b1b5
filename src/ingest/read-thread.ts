/** A read thread: runs readMessage on inputs the main thread sends, and sends back their parts. */
import { parentPort } from 'node:worker_threads';
import { readMessage } from './read.ts';
import { type ReadRequest, type ReadResponse, toWire } from './read-pool.ts';

if (!parentPort) throw new Error('read-thread.ts runs as a worker thread');
const port = parentPort;

port.on('message', async (request: ReadRequest) => {
  let response: ReadResponse;
  try {
    const parts = [];
    let deferred = false;
    const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
    for await (const part of readMessage(bytes, request.name, request.source, request.options)) {
      // A streamed payload reads its bytes lazily: it cannot cross threads, the main thread reads the input.
      if (part.kind === 'payload' && part.payload.stream) {
        deferred = true;
        break;
      }
      parts.push(toWire(part));
    }
    response = deferred ? { id: request.id, deferred: true } : { id: request.id, parts };
  } catch (error) {
    response = { id: request.id, failure: (error as Error).stack ?? String(error) };
  }
  port.postMessage(response);
});
