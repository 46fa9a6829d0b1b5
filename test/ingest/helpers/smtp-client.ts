import net from 'node:net';

/**
 * A client that writes each command as it is given: nodemailer writes a recipient's domain in
 * punycode, and a mail server that speaks SMTPUTF8 may not. Connected once greeted; `say` writes a
 * command and answers the server's reply (its last line), `reply` waits for the next one.
 */
export async function smtpClient(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let received = '';
  const waiting: ((reply: string) => void)[] = [];
  const replies: string[] = [];
  socket.on('data', (data: string) => {
    received += data;
    // A reply ends at its last line, "NNN text" (those before it are "NNN-text").
    for (let end = /^\d{3} .*\r\n/m.exec(received); end; end = /^\d{3} .*\r\n/m.exec(received)) {
      const reply = received.slice(0, end.index + end[0].length - 2);
      received = received.slice(end.index + end[0].length);
      const last = reply.split('\r\n').at(-1)!;
      const next = waiting.shift();
      if (next) next(last);
      else replies.push(last);
    }
  });
  const reply = () =>
    new Promise<string>((resolve) => {
      const ready = replies.shift();
      if (ready !== undefined) resolve(ready);
      else waiting.push(resolve);
    });
  await reply();
  return {
    socket,
    reply,
    say: (line: string) => {
      socket.write(`${line}\r\n`);
      return reply();
    },
  };
}
