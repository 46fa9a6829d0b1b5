/**
 * Failure reports (RFC 6591 ARF) the ISP sent for card.example.co.jp while its record asked for
 * them (fo=1, during quarantine): the phishing campaign, whole or headers only, recipients
 * redacted; and one mailing-list message whose signature broke. The last one comes with its
 * feedback-report part base64-encoded, as some reporters send it.
 */
import type { DemoInput } from './generate.ts';
import { encodeWord, failureReportMail, mailDate } from './mail.ts';
import type { Random } from './random.ts';
import { SOURCES } from './story.ts';

const DOMAIN = 'card.example.co.jp';
const REPORTER = { address: 'ruf-report@isp.example.ne.jp', mta: 'mx.isp.example.ne.jp' };
const PHISHING_SUBJECT = '【重要】カードご利用確認のお願い';
const PHISHING_BODY = [
  'いつも当社カードをご利用いただき、ありがとうございます。',
  'お客様のカードに第三者による不正利用の可能性がある取引を検知しました。',
  '下記URLより24時間以内にご本人確認をお願いいたします。',
  '',
  'https://card-example-co-jp.login-verify.example/auth?id=',
  '',
  'ご確認いただけない場合、カードのご利用を制限させていただきます。',
].join('\n');

/** At most this many: a failure report is one message, a few are enough to show what they carry. */
const FAILURE_REPORTS = 6;

export function failureReports(today: number, days: number, random: Random): DemoInput[] {
  const spoofIps = SOURCES.find((s) => s.id === 'card-spoof')?.ips ?? [];
  const listIp = SOURCES.find((s) => s.id === 'card-list')?.ips[0] ?? '198.18.210.10';
  const inputs: DemoInput[] = [];
  // Days when the phishing campaign ran (f 0.22-0.35) and the record had fo=1 (f 0.25-0.5).
  for (let ago = Math.floor(days * 0.35); ago > days * 0.25 && inputs.length < FAILURE_REPORTS; ago--) {
    const arrival = today - ago * 86_400 + random.int(0, 86_399);
    const variant = inputs.length;
    const list = variant === 4;
    const sourceIp = list ? listIp : random.pick(spoofIps);
    // Recipients as the ISP redacts them: x-ed out, or hashed.
    const recipient =
      variant % 2 === 0 ? `xxxxxxxx@isp.example.ne.jp` : `${random.hex(32)}@isp.example.ne.jp`;
    const messageId = `${random.hex(12)}@${list ? 'ml.jcca.example.or.jp' : 'mail.card-example-login.example'}`;
    const original = list
      ? [
          `From: =?UTF-8?B?${Buffer.from('カード会社 広報').toString('base64')}?= <pr@${DOMAIN}>`,
          `To: members@ml.jcca.example.or.jp`,
          `Subject: ${encodeWord('[jcca-members] 不正利用対策セミナーのご案内')}`,
          `Date: ${mailDate(arrival - 40)}`,
          `Message-ID: <${messageId}>`,
          'List-Id: <members.ml.jcca.example.or.jp>',
          `DKIM-Signature: v=1; a=rsa-sha256; d=${DOMAIN}; s=selector1; h=from:to:subject:date; bh=${random.hex(43)}=; b=${random.hex(64)}`,
        ]
      : [
          `From: ${encodeWord('カード会社 お客様センター')} <info@${DOMAIN}>`,
          `To: ${recipient}`,
          `Subject: ${encodeWord(PHISHING_SUBJECT)}`,
          `Date: ${mailDate(arrival - 5)}`,
          `Message-ID: <${messageId}>`,
        ];
    const whole = !list && variant < 3;
    const originalText = whole
      ? [
          ...original,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=UTF-8',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from(`${PHISHING_BODY}${random.hex(16)}\n`).toString('base64'),
        ].join('\r\n')
      : original.join('\r\n');
    const authResults = list
      ? `${REPORTER.mta}; dmarc=fail (p=quarantine dis=none) header.from=${DOMAIN}; spf=pass smtp.mailfrom=ml.jcca.example.or.jp; dkim=fail header.d=${DOMAIN}; dkim=pass header.d=ml.jcca.example.or.jp`
      : `${REPORTER.mta}; dmarc=fail (p=quarantine dis=quarantine) header.from=${DOMAIN}; spf=softfail smtp.mailfrom=${DOMAIN}; dkim=none`;
    const fields: [string, string][] = [
      ['Feedback-Type', 'auth-failure'],
      ['User-Agent', 'ExampleISP-ARF/1.2'],
      ['Version', '1'],
      ['Original-Mail-From', list ? '<members-bounces@ml.jcca.example.or.jp>' : `<info@${DOMAIN}>`],
      ['Original-Rcpt-To', `<${recipient}>`],
      ['Arrival-Date', mailDate(arrival)],
      ['Source-IP', sourceIp],
      ['Reporting-MTA', `dns; ${REPORTER.mta}`],
      ['Reported-Domain', DOMAIN],
      ['Authentication-Results', authResults],
      ['Auth-Failure', list ? 'dkim' : 'dmarc'],
      ['Identity-Alignment', 'none'],
      ['Delivery-Result', list ? 'delivered' : 'spam'],
    ];
    if (list) fields.push(['DKIM-Domain', DOMAIN], ['DKIM-Selector', 'selector1']);
    const date = new Date(arrival * 1000).toISOString().slice(0, 10);
    const name = `${date}-failure-${variant + 1}.eml`;
    const receivedAt = arrival + random.int(60, 900);
    inputs.push({
      kind: 'failure',
      name,
      source: `demo/${REPORTER.address}/${DOMAIN}/${date}/${name}`,
      receivedAt,
      bytes: failureReportMail({
        header: {
          from: REPORTER.address,
          to: `dmarc-ruf@${DOMAIN}`,
          subject: `Authentication Failure Report for ${DOMAIN} from ${sourceIp}`,
          date: receivedAt,
          messageId: `${random.hex(16)}@isp.example.ne.jp`,
        },
        text: `This is an authentication failure report for a message from ${sourceIp} claiming to be from ${DOMAIN}.`,
        fields,
        // The last one as some reporters send it: the feedback-report part base64-encoded.
        fieldsBase64: variant === FAILURE_REPORTS - 1,
        original: { form: whole ? 'message' : 'headers', text: originalText },
        boundary: `=_arf_${random.hex(20)}`,
      }),
    });
  }
  return inputs;
}
