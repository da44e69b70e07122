// smtp-sink.mjs: a small SMTP server on loopback for the tests: it accepts
// every message (EHLO, MAIL, RCPT, DATA, QUIT) and keeps what it got, so a
// test can read the mail Gazette sent. Not a mail server: no relaying, no
// authentication, one recipient list per message.
import net from 'node:net';

export async function startSink(port = 0) {
  const messages = [];
  const server = net.createServer((sock) => {
    let buf = '', inData = false, mail = { from: '', to: [], data: '' };
    const say = (s) => sock.write(`${s}\r\n`);
    say('220 sink ESMTP');
    sock.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buf.slice(0, end).replace(/\r\n\.\./g, '\r\n.');
          buf = buf.slice(end + 5);
          inData = false;
          messages.push(mail);
          mail = { from: '', to: [], data: '' };
          say('250 2.0.0 queued');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') { sock.write('250-sink\r\n250-8BITMIME\r\n250 SIZE 10000000\r\n'); }
        else if (cmd === 'HELO') say('250 sink');
        else if (cmd === 'MAIL') { mail.from = line.slice(10); say('250 2.1.0 ok'); }
        else if (cmd === 'RCPT') { mail.to.push(line.slice(8)); say('250 2.1.5 ok'); }
        else if (cmd === 'DATA') { inData = true; say('354 go ahead'); }
        else if (cmd === 'QUIT') { say('221 bye'); sock.end(); return; }
        else if (cmd === 'RSET' || cmd === 'NOOP') say('250 ok');
        else say('502 not here');
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((res) => server.listen(port, '127.0.0.1', res));
  return {
    port: server.address().port,
    messages,
    close: () => new Promise((res) => server.close(res)),
  };
}

// The text parts of a message, decoded (base64 bodies, RFC 2047 subject).
export function decode(data) {
  const [head] = data.split('\r\n\r\n');
  const subjectRaw = (head.match(/^Subject: ((?:.|\r\n )*)/m) || [, ''])[1];
  const subject = subjectRaw.replace(/\r\n /g, '').replace(/=\?UTF-8\?B\?([^?]*)\?=/g, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
  const parts = [];
  for (const m of data.matchAll(/Content-Type: ([^;\r\n]+)[^\r\n]*\r\nContent-Transfer-Encoding: base64\r\n(?:[^\r\n]+\r\n)*\r\n([A-Za-z0-9+/=\r\n]+)/g))
    parts.push({ type: m[1], text: Buffer.from(m[2].replace(/\r\n/g, ''), 'base64').toString('utf8') });
  return { head, subject, parts };
}
