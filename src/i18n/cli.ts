import type { UiCatalog } from './catalog.ts';

/** Words of the command line: help texts, headings, summaries, errors. */
export const cliText = {
  'program.description': {
    en: 'Sumi: check mail-authentication records, ingest DMARC reports, simulate enforcement, survey adoption.',
    ja: 'Sumi: メール認証レコードの検査、DMARC レポートの取り込み、ポリシー強化のシミュレーション、普及状況の調査。',
  },
  'option.lang': {
    en: 'language of the output: en or ja (default: from LANG)',
    ja: '出力の言語: en または ja（既定: LANG から）',
  },
  'option.help': { en: 'show help', ja: 'ヘルプを表示する' },
  'option.version': { en: 'show the version', ja: 'バージョンを表示する' },
  'option.json': { en: 'print one JSON document', ja: 'JSON 文書を 1 つ出力する' },
  'option.csv': { en: 'print CSV', ja: 'CSV を出力する' },
  'option.resolver': {
    en: 'DNS servers to ask, host:port[,host:port], or "system" (default: the system\'s servers, asked directly)',
    ja: '問い合わせる DNS サーバー host:port[,host:port]、または "system"（既定: システムの DNS サーバーに直接問い合わせ）',
  },
  'option.timeout': {
    en: 'DNS timeout per attempt, in ms',
    ja: 'DNS 問い合わせ 1 回あたりのタイムアウト（ミリ秒）',
  },
  'error.usage': { en: 'error: {message}', ja: 'エラー: {message}' },
  'error.runtime': { en: 'error: {message}', ja: 'エラー: {message}' },
  'dns.description': { en: 'DNS tools for labs and tests', ja: '検証環境・テスト用の DNS ツール' },
  'dns.serve.description': {
    en: 'serve a zone file over UDP and TCP (answers like a resolver; SERVFAIL/TIMEOUT/TRUNCATE/REFUSED pseudo-records misbehave)',
    ja: 'ゾーンファイルを UDP と TCP で応答する（リゾルバーのように応答。SERVFAIL/TIMEOUT/TRUNCATE/REFUSED 疑似レコードで異常応答）',
  },
  'dns.serve.listen': {
    en: 'address to listen on, host:port (port 0: any free port)',
    ja: '待ち受けアドレス host:port（ポート 0: 空いているポート）',
  },
  'dns.serve.listening': {
    en: 'serving {records} names from {file} on {address} (UDP and TCP); use --resolver {address}',
    ja: '{file} の {records} 件の名前を {address} で応答中（UDP と TCP）。--resolver {address} で利用できます',
  },
  'dns.serve.badZone': { en: '{file}: {message}', ja: '{file}: {message}' },
} satisfies UiCatalog;
