import { type ChildProcess, fork } from 'node:child_process';

export interface ZoneStats {
  queries: number;
  distinct: number;
  repeated: number;
}

/** Handle on a zone server running in a child process (see zone-process.ts). */
export class RemoteZone {
  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
  ) {}

  static async start(zoneModule: URL, args: unknown[]): Promise<RemoteZone> {
    const child = fork(new URL('./zone-process.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'] });
    const reply = RemoteZone.next<{ address: string }>(child);
    child.send({ zoneModule: zoneModule.href, args });
    return new RemoteZone(child, (await reply).address);
  }

  private static next<T>(child: ChildProcess): Promise<T> {
    return new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
  }

  async stats(): Promise<ZoneStats> {
    const reply = RemoteZone.next<ZoneStats>(this.child);
    this.child.send({ stats: true });
    return reply;
  }

  /** Delays every answer by `ms`, standing in for a network round trip. */
  async setLatency(ms: number): Promise<void> {
    const reply = RemoteZone.next(this.child);
    this.child.send({ latencyMs: ms });
    await reply;
  }

  async reset(): Promise<void> {
    const reply = RemoteZone.next(this.child);
    this.child.send({ reset: true });
    await reply;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ stop: true });
    await exited;
  }
}
