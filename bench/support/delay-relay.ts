/**
 * A TCP relay to a local port that holds every chunk for `delayMs` in each direction: a server
 * 2 x delayMs away, for measuring what round trips cost (the loopback has none). Chunks keep
 * their order (timers of one duration fire in the order they were set).
 */
import net from 'node:net';

export async function startDelayRelay(
  targetPort: number,
  delayMs: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    const relay = (from: net.Socket, to: net.Socket) => {
      sockets.add(from);
      from.on('error', () => to.destroy());
      from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
      from.on('close', () => {
        sockets.delete(from);
        setTimeout(() => to.end(), delayMs);
      });
    };
    relay(inbound, outbound);
    relay(outbound, inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
