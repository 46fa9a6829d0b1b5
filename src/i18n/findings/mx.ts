import type { FindingArgs, FindingCatalog, FindingEntry } from '../catalog.ts';

/** A temporary DNS failure (args `status`, optional `error`) in words. */
export const dnsStatusText = {
  en: (a: FindingArgs): string => {
    const what =
      a.status === 'timeout'
        ? 'no answer in time'
        : a.status === 'refused'
          ? 'the server refused (REFUSED)'
          : 'SERVFAIL';
    return a.error ? `${what}: ${a.error}` : what;
  },
  ja: (a: FindingArgs): string => {
    const what =
      a.status === 'timeout'
        ? '時間内に応答がありません'
        : a.status === 'refused'
          ? 'サーバーが拒否しました（REFUSED）'
          : 'SERVFAIL';
    return a.error ? `${what}: ${a.error}` : what;
  },
};

const entries = {
  'mx-dns-error': {
    severity: 'error',
    protocol: 'mx',
    en: {
      title: 'MX lookup failed',
      message: (a) => `Could not look up the MX records of ${a.name} (${dnsStatusText.en(a)}).`,
      why: 'Senders that hit the same failure cannot deliver mail to the domain; they retry, and mail is delayed or bounced if it lasts.',
      fix: (a) =>
        `Check that every authoritative DNS server of ${a.name} answers MX queries (and that DNSSEC signatures, if any, are valid), then check again.`,
    },
    ja: {
      title: 'MX の問い合わせに失敗しました',
      message: (a) => `${a.name} の MX レコードを問い合わせられませんでした（${dnsStatusText.ja(a)}）。`,
      why: '送信側でも同じ失敗が起きるとこのドメインにメールを配送できません。再送はされますが、続くと遅延や不達になります。',
      fix: (a) =>
        `${a.name} の権威 DNS サーバーすべてが MX の問い合わせに応答するか（DNSSEC を使っているなら署名が正しいか）を確認し、もう一度チェックしてください。`,
    },
  },
  'mx-missing': {
    severity: 'info',
    protocol: 'mx',
    en: {
      title: 'No MX records',
      message: (a) =>
        a.nxdomain
          ? `${a.domain} does not exist in DNS, so it has no MX records and cannot receive mail.`
          : `${a.domain} has no MX records; senders deliver to its A/AAAA address instead (RFC 5321 s5.1).`,
      why: 'Without MX, mail goes to whatever host the domain name points to, often a web server. A domain that receives no mail should say so with a null MX.',
      fix: (a) =>
        `If ${a.domain} receives mail, publish MX records for its mail servers; if it does not, publish the null MX "${a.domain}. MX 0 ." (RFC 7505).`,
    },
    ja: {
      title: 'MX レコードがありません',
      message: (a) =>
        a.nxdomain
          ? `${a.domain} は DNS に存在しないため、MX レコードもなく、メールを受け取れません。`
          : `${a.domain} には MX レコードがありません。送信側は代わりにこの名前の A/AAAA アドレスに配送します（RFC 5321 5.1 節）。`,
      why: 'MX がないと、メールはドメイン名が指すホスト（多くは Web サーバー）に届けられます。メールを受け取らないドメインは null MX でそれを示すべきです。',
      fix: (a) =>
        `${a.domain} でメールを受け取るならメールサーバーの MX レコードを公開してください。受け取らないなら null MX "${a.domain}. MX 0 ." を公開してください（RFC 7505）。`,
    },
  },
  'mx-null-recommended': {
    severity: 'info',
    protocol: 'mx',
    en: {
      title: 'Parked domain without null MX',
      message: (a) =>
        `${a.domain} is parked and has no MX records; a null MX would tell senders it accepts no mail.`,
      why: 'Without it, senders try the domain’s A/AAAA address and queue mail for days before bouncing; with "MX 0 ." they bounce at once (RFC 7505).',
      fix: (a) => `Publish "${a.domain}. MX 0 ." (shown below).`,
    },
    ja: {
      title: 'パーク中のドメインに null MX がありません',
      message: (a) =>
        `${a.domain} はパーク中で MX レコードがありません。null MX を置けば、メールを受け取らないことを送信側に伝えられます。`,
      why: 'null MX がないと、送信側はドメインの A/AAAA アドレスに配送を試み、数日キューに溜めてから返送します。"MX 0 ." があればすぐに返送されます（RFC 7505）。',
      fix: (a) => `"${a.domain}. MX 0 ." を公開してください（下に示します）。`,
    },
  },
  'mx-null': {
    severity: 'info',
    protocol: 'mx',
    en: {
      title: 'Null MX: the domain accepts no mail',
      message: (a) => `${a.domain} publishes the null MX ("0 ."), saying it accepts no mail (RFC 7505).`,
      why: 'Senders bounce mail to this domain at once. That is right for a domain that receives nothing; mail addressed to it (including DMARC reports) cannot arrive.',
    },
    ja: {
      title: 'null MX: メールを受け取らないドメインです',
      message: (a) =>
        `${a.domain} は null MX（"0 ."）を公開しており、メールを受け取らないことを示しています（RFC 7505）。`,
      why: '送信側はこのドメイン宛てのメールをすぐに返送します。何も受け取らないドメインなら正しい設定ですが、宛てたメール（DMARC レポートを含む）は届きません。',
    },
  },
  'mx-null-with-others': {
    severity: 'error',
    protocol: 'mx',
    en: {
      title: 'Null MX mixed with other MX records',
      message: (a) =>
        `${a.domain} publishes the null MX ("0 .") together with other MX records (${a.hosts}).`,
      why: 'RFC 7505 s3: a null MX must be the only MX record. Mixed, senders may treat the domain as accepting no mail or try the other hosts; the result differs from sender to sender.',
      fix: (a) =>
        `If ${a.domain} receives mail, delete the "MX 0 ." record; if it does not, delete the MX records for ${a.hosts}.`,
    },
    ja: {
      title: 'null MX と他の MX レコードが混在しています',
      message: (a) =>
        `${a.domain} は null MX（"0 ."）と他の MX レコード（${a.hosts}）を同時に公開しています。`,
      why: 'RFC 7505 3 節により、null MX は唯一の MX レコードでなければなりません。混在していると、送信側によってメールを受け取らないドメインとみなしたり、他のホストを試したりと結果が分かれます。',
      fix: (a) =>
        `${a.domain} でメールを受け取るなら "MX 0 ." を削除してください。受け取らないなら ${a.hosts} の MX レコードを削除してください。`,
    },
  },
  'mx-null-preference': {
    severity: 'warning',
    protocol: 'mx',
    en: {
      title: 'Null MX with a non-zero preference',
      message: (a) => `${a.domain} publishes "MX ${a.preference} ."; the null MX is defined as preference 0.`,
      why: 'RFC 7505 s3 defines the null MX as "0 ."; some senders recognise only that exact form and otherwise try to deliver to a host named ".".',
      fix: (a) => `Replace it with "${a.domain}. MX 0 .".`,
    },
    ja: {
      title: 'null MX の優先度が 0 ではありません',
      message: (a) =>
        `${a.domain} は "MX ${a.preference} ." を公開しています。null MX は優先度 0 と定義されています。`,
      why: 'RFC 7505 3 節は null MX を "0 ." と定めています。この形しか認識しない送信側は、"." という名前のホストに配送しようとします。',
      fix: (a) => `"${a.domain}. MX 0 ." に置き換えてください。`,
    },
  },
  'mx-parked-has-mx': {
    severity: 'warning',
    protocol: 'mx',
    en: {
      title: 'Parked domain has MX records',
      message: (a) => `${a.domain} is checked as parked but publishes MX records (${a.hosts}).`,
      why: 'A parked domain sends and receives no mail; MX records invite mail (and spam) that nobody reads, and contradict the parked SPF and DMARC records.',
      fix: (a) =>
        `Delete the MX records of ${a.domain} and publish the null MX "${a.domain}. MX 0 ." instead, or check the domain without --parked if it receives mail.`,
    },
    ja: {
      title: 'パーク中のドメインに MX レコードがあります',
      message: (a) =>
        `${a.domain} はパーク中としてチェックしていますが、MX レコード（${a.hosts}）を公開しています。`,
      why: 'パーク中のドメインはメールを送受信しません。MX があると誰も読まないメール（やスパム）を呼び込み、パーク用の SPF・DMARC とも食い違います。',
      fix: (a) =>
        `${a.domain} の MX レコードを削除し、代わりに null MX "${a.domain}. MX 0 ." を公開してください。メールを受け取るドメインなら --parked を付けずにチェックしてください。`,
    },
  },
  'mx-duplicate-host': {
    severity: 'warning',
    protocol: 'mx',
    en: {
      title: 'Same MX host listed more than once',
      message: (a) => `${a.host} appears ${a.count} times in the MX records of ${a.domain}.`,
      why: 'The extra records add nothing (senders try the host once), but usually mean a record was meant to name a different host, e.g. a backup.',
      fix: (a) =>
        `Keep one MX record for ${a.host}, with the preference you want, and delete the others (or correct the host name they were meant to have).`,
    },
    ja: {
      title: '同じ MX ホストが複数回あります',
      message: (a) => `${a.domain} の MX レコードに ${a.host} が ${a.count} 回あります。`,
      why: '余分なレコードは何の役にも立ちません（送信側はそのホストを 1 回しか試しません）。多くは、本来は別のホスト（バックアップなど）を指すはずだったレコードです。',
      fix: (a) =>
        `${a.host} の MX レコードは希望の優先度で 1 件だけ残し、ほかは削除してください（別のホストのつもりだったなら名前を直してください）。`,
    },
  },
  'mx-too-many-hosts': {
    severity: 'warning',
    protocol: 'mx',
    en: {
      title: 'Too many MX hosts',
      message: (a) =>
        `${a.domain} lists ${a.count} MX hosts; Sumi looked up only the first ${a.max} by preference.`,
      why: 'An SPF "mx" term fails with more than 10 MX hosts (RFC 7208 s4.6.4), and senders rarely try more than a few.',
      fix: (a) =>
        `Reduce the MX records of ${a.domain} to the hosts that really receive its mail (at most ${a.max}).`,
    },
    ja: {
      title: 'MX ホストが多すぎます',
      message: (a) =>
        `${a.domain} には MX ホストが ${a.count} 件あります。Sumi は優先度順に最初の ${a.max} 件だけを調べました。`,
      why: 'MX ホストが 10 件を超えると SPF の "mx" 項目は失敗します（RFC 7208 4.6.4 節）。送信側も数件しか試しません。',
      fix: (a) =>
        `${a.domain} の MX レコードを、実際にメールを受け取るホスト（${a.max} 件以内）に減らしてください。`,
    },
  },
  'mx-host-ip-literal': {
    severity: 'error',
    protocol: 'mx',
    en: {
      title: 'MX names an IP address',
      message: (a) => `An MX record of ${a.domain} names ${a.host}, which is an IP address, not a host name.`,
      why: 'An MX must name a host (RFC 5321 s5.1); senders look the address up as a DNS name, find nothing, and mail to that MX fails.',
      fix: (a) =>
        `Create a host name (e.g. mail.${a.domain}. A ${a.host}) and make the MX record point to it: "${a.domain}. MX 10 mail.${a.domain}.".`,
    },
    ja: {
      title: 'MX に IP アドレスが書かれています',
      message: (a) =>
        `${a.domain} の MX レコードが ${a.host} を指していますが、これはホスト名ではなく IP アドレスです。`,
      why: 'MX はホスト名を指す必要があります（RFC 5321 5.1 節）。送信側はアドレスを DNS 名として引いて何も見つけられず、その MX へのメールは失敗します。',
      fix: (a) =>
        `ホスト名を作り（例: mail.${a.domain}. A ${a.host}）、MX レコードをそれに向けてください: "${a.domain}. MX 10 mail.${a.domain}."。`,
    },
  },
  'mx-host-invalid': {
    severity: 'error',
    protocol: 'mx',
    en: {
      title: 'MX host name is not valid',
      message: (a) => `An MX record of ${a.domain} names "${a.host}", which is not a valid host name.`,
      why: 'Host names are letters, digits and hyphens in dot-separated labels; senders cannot deliver to anything else.',
      fix: (a) =>
        `Correct the MX record of ${a.domain} to name the real mail server host (e.g. "MX 10 mail.${a.domain}.").`,
    },
    ja: {
      title: 'MX のホスト名が正しくありません',
      message: (a) =>
        `${a.domain} の MX レコードが "${a.host}" を指していますが、正しいホスト名ではありません。`,
      why: 'ホスト名は英数字とハイフンからなるラベルをドットでつないだものです。それ以外には送信側は配送できません。',
      fix: (a) =>
        `${a.domain} の MX レコードを実際のメールサーバーのホスト名に直してください（例: "MX 10 mail.${a.domain}."）。`,
    },
  },
  'mx-host-cname': {
    severity: 'warning',
    protocol: 'mx',
    en: {
      title: 'MX host is a CNAME',
      message: (a) => `The MX host ${a.host} of ${a.domain} is an alias (CNAME) for ${a.target}.`,
      why: 'RFC 2181 s10.3 and RFC 5321 s5.1 forbid MX records pointing to an alias. Most senders follow it anyway, but some do not, and MTA-STS and DANE checks may compare the wrong name.',
      fix: (a) => `Point the MX record at the real host name: "${a.domain}. MX <preference> ${a.target}.".`,
    },
    ja: {
      title: 'MX ホストが CNAME です',
      message: (a) => `${a.domain} の MX ホスト ${a.host} は ${a.target} の別名（CNAME）です。`,
      why: 'RFC 2181 10.3 節と RFC 5321 5.1 節は、MX が別名を指すことを禁じています。多くの送信側はそれでもたどりますが、たどらないものもあり、MTA-STS や DANE の照合で違う名前が比べられることもあります。',
      fix: (a) => `MX レコードを実際のホスト名に向けてください: "${a.domain}. MX <優先度> ${a.target}."。`,
    },
  },
  'mx-host-no-address': {
    severity: 'warning',
    protocol: 'mx',
    en: {
      title: 'MX host has no address',
      message: (a) =>
        `The MX host ${a.host} of ${a.domain} has no A or AAAA record (${a.status === 'nxdomain' ? 'the name does not exist' : 'the name has no address records'}).`,
      why: 'Senders cannot connect to this host; they move on to the next MX, and if none works, mail is queued and finally bounced.',
      fix: (a) => `Publish an A (and AAAA) record for ${a.host}, or remove the MX record that names it.`,
    },
    ja: {
      title: 'MX ホストにアドレスがありません',
      message: (a) =>
        `${a.domain} の MX ホスト ${a.host} に A・AAAA レコードがありません（${a.status === 'nxdomain' ? 'この名前は存在しません' : 'この名前にアドレスのレコードがありません'}）。`,
      why: '送信側はこのホストに接続できず、次の MX を試します。どれも使えなければメールはキューに溜まり、最後は返送されます。',
      fix: (a) =>
        `${a.host} の A（と AAAA）レコードを公開するか、そのホストを指す MX レコードを削除してください。`,
    },
  },
  'mx-host-dns-error': {
    severity: 'warning',
    protocol: 'mx',
    en: {
      title: 'MX host lookup failed',
      message: (a) => `Could not look up the address of the MX host ${a.host} (${dnsStatusText.en(a)}).`,
      why: 'Senders hitting the same failure cannot reach this host while it lasts and fall back to other MX hosts or queue the mail.',
      fix: (a) => `Check that the DNS servers for ${a.host} answer A and AAAA queries, then check again.`,
    },
    ja: {
      title: 'MX ホストの問い合わせに失敗しました',
      message: (a) =>
        `MX ホスト ${a.host} のアドレスを問い合わせられませんでした（${dnsStatusText.ja(a)}）。`,
      why: '送信側でも同じ失敗が起きると、その間このホストには届かず、他の MX ホストを使うかメールをキューに溜めます。',
      fix: (a) =>
        `${a.host} の DNS サーバーが A と AAAA の問い合わせに応答するか確認し、もう一度チェックしてください。`,
    },
  },
  'mx-no-reachable-host': {
    severity: 'error',
    protocol: 'mx',
    en: {
      title: 'No MX host can receive mail',
      message: (a) =>
        `None of the MX hosts of ${a.domain} has a usable address: mail to ${a.domain} cannot be delivered.`,
      why: 'Senders find no server to connect to, queue the mail and bounce it after a few days.',
      fix: (a) =>
        `Give the MX hosts of ${a.domain} A/AAAA records, or point the MX records at your working mail servers; if the domain receives no mail, publish the null MX "${a.domain}. MX 0 ." instead.`,
    },
    ja: {
      title: 'メールを受け取れる MX ホストがありません',
      message: (a) =>
        `${a.domain} の MX ホストのどれにも使えるアドレスがなく、${a.domain} 宛てのメールは配送できません。`,
      why: '送信側は接続先のサーバーが見つからず、メールをキューに溜めて数日後に返送します。',
      fix: (a) =>
        `${a.domain} の MX ホストに A/AAAA レコードを与えるか、MX レコードを稼働中のメールサーバーに向けてください。メールを受け取らないドメインなら、代わりに null MX "${a.domain}. MX 0 ." を公開してください。`,
    },
  },
  'dnssec-validated': {
    severity: 'info',
    protocol: 'dnssec',
    en: {
      title: 'DNSSEC validated',
      message: (a) => `The resolver validated the DNS answers for ${a.domain} with DNSSEC (AD flag set).`,
      why: 'Signed answers cannot be forged on the way; this is also what DANE for the MX hosts builds on.',
    },
    ja: {
      title: 'DNSSEC で検証済みです',
      message: (a) => `リゾルバは ${a.domain} の DNS 応答を DNSSEC で検証しました（AD フラグあり）。`,
      why: '署名された応答は途中で偽装できません。MX ホストの DANE もこれを土台にしています。',
    },
  },
  'dnssec-not-validated': {
    severity: 'info',
    protocol: 'dnssec',
    en: {
      title: 'DNSSEC not validated',
      message: (a) =>
        `The resolver did not validate the DNS answers for ${a.domain} with DNSSEC (no AD flag): the zone is unsigned, or the resolver does not validate.`,
      why: 'Unsigned answers can be forged by an attacker on the path, which DANE and DNSSEC-based protections would prevent.',
      fix: (a) =>
        `If your DNS provider supports it, enable DNSSEC signing for ${a.domain} and publish the DS record at your registrar; check with a validating resolver.`,
    },
    ja: {
      title: 'DNSSEC で検証されていません',
      message: (a) =>
        `リゾルバは ${a.domain} の DNS 応答を DNSSEC で検証しませんでした（AD フラグなし）。ゾーンが署名されていないか、リゾルバが検証を行っていません。`,
      why: '署名されていない応答は経路上の攻撃者に偽装されえます。DANE や DNSSEC に基づく保護はこれを防ぎます。',
      fix: (a) =>
        `DNS 事業者が対応していれば ${a.domain} の DNSSEC 署名を有効にし、レジストラに DS レコードを登録してください。確認は検証を行うリゾルバで行ってください。`,
    },
  },
} satisfies FindingCatalog;

/** Keys kept literal (they make the FindingCode type); entries widened so `fix` reads as optional. */
export const mxFindings: { [K in keyof typeof entries]: FindingEntry } = entries;
