/**
 * A thread that only parses the large reports the main thread streams to it (stream-parse.ts):
 * for a run without read threads, it loads no more than the parse needs.
 */
import { parentPort } from 'node:worker_threads';
import { type StreamRequest, StreamServer } from './stream-parse.ts';

if (!parentPort) throw new Error('stream-thread.ts runs as a worker thread');
const port = parentPort;
const streams = new StreamServer(port);
port.on('message', (request: StreamRequest) => streams.handle(request));
