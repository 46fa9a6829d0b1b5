/**
 * Untrusted text never acts on the reader's terminal: report fields with ESC sequences, BEL,
 * carriage returns or bidi overrides are printed as U+FFFD by every command, while --json keeps
 * them exactly (escaped) and Sumi's own colours and progress lines stay.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { guardedStream, printJson, terminalText } from '../../src/cli/output.ts';
import { sumi } from '../helpers/cli.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'sumi-terminal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ESC and BEL (an OSC setting the title; one setting the clipboard is the same shape), a CSI clearing the screen, C1's CSI, a bidi override, a carriage return. */
const HOSTILE_ORG = 'Evil\u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\r\u202eproC\u009b31m';
const HOSTILE_FROM = 'x\u001b[31m.evil.example';

function report(org: string, from: string): string {
  return `<?xml version="1.0"?><feedback><report_metadata><org_name>${org}</org_name><email>a@b.example</email>
<report_id>hostile-1</report_id><date_range><begin>1735689600</begin><end>1735775999</end></date_range></report_metadata>
<policy_published><domain>evil.example</domain><p>none</p></policy_published>
<record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition>
<dkim>fail</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>${from}</header_from></identifiers>
<auth_results><spf><domain>evil.example</domain><result>fail</result></spf></auth_results></record></feedback>`;
}

/** A stream that keeps what is written to it. */
function capture(): Writable & { text: string } {
  const out = new Writable({
    write(chunk, _encoding, done) {
      out.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  out.text = '';
  return out;
}

describe('what reaches a terminal', () => {
  it("writes every control character a terminal acts on as U+FFFD; on a terminal, Sumi's own colours, erase-line and leading carriage return stay", () => {
    expect(terminalText(HOSTILE_ORG)).toBe(
      'Evil\uFFFD]52;c;cm0gLXJmIH4=\uFFFD\uFFFD[2J\uFFFD\uFFFDproC\uFFFD31m',
    );
    expect(terminalText(HOSTILE_ORG, true)).toBe(terminalText(HOSTILE_ORG));
    expect(terminalText('a\rb\u0000c\u007fd\u2066e\tf\ng')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\tf\ng');
    const own = '\r\u001b[1m12\u001b[22m reports \u001b[31mfailed\u001b[39m\u001b[K';
    expect(terminalText(own, true)).toBe(own);
    // Not on a terminal Sumi writes no sequence: none passes.
    expect(terminalText(own)).toBe('\uFFFD\uFFFD[1m12\uFFFD[22m reports \uFFFD[31mfailed\uFFFD[39m\uFFFD[K');
    // Conceal, blink, cursor moves and a carriage return mid-write are no painter's.
    expect(terminalText('a\u001b[8mb\u001b[5mc\u001b[2Ad\re', true)).toBe(
      'a\uFFFD[8mb\uFFFD[5mc\uFFFD[2Ad\uFFFDe',
    );
  });

  it('guards a stream: strings through terminalText, bytes as they are', () => {
    const out = capture();
    const guarded = guardedStream(out);
    guarded.write('a\u001b]0;t\u0007b\u001b[1m');
    guarded.write(Buffer.from('raw\u001b'));
    expect(out.text).toBe('a\uFFFD]0;t\uFFFDb\uFFFD[1mraw\u001b');
    // A terminal's stream keeps Sumi's own.
    const tty = Object.assign(capture(), { isTTY: true });
    guardedStream(tty).write('\r\u001b[1mx\u001b[22m\u001b]0;t\u0007');
    expect(tty.text).toBe('\r\u001b[1mx\u001b[22m\uFFFD]0;t\uFFFD');
  });

  it('prints JSON whose strings keep such characters exactly, as escapes', () => {
    const out = capture();
    printJson({ lang: 'en', stdout: out, stderr: out, env: {} }, { name: HOSTILE_ORG });
    expect(out.text).not.toMatch(/[\u001b\u0007\r\u009b\u202e]/);
    expect(terminalText(out.text)).toBe(out.text);
    expect(JSON.parse(out.text)).toEqual({ name: HOSTILE_ORG });
  });

  it("a hostile report's fields reach no terminal from the commands, and --json gives them exactly", async () => {
    const file = path.join(dir, 'hostile.xml');
    writeFileSync(file, report(HOSTILE_ORG, HOSTILE_FROM));
    const db = path.join(dir, 'sumi.db');
    expect((await sumi(['ingest', file, '--db', db])).code).toBe(0);
    const period = ['--since', '2025-01-01', '--until', '2025-01-02'];
    for (const command of ['reporters', 'subdomains', 'sources', 'summary']) {
      const run = await sumi([command, 'evil.example', '--db', db, ...period]);
      expect(run.code, command).toBe(0);
      expect(run.stdout, command).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
    const table = await sumi(['reporters', 'evil.example', '--db', db, ...period]);
    // A line end in a field stays in its table row.
    expect(table.stdout).toMatch(/\nEvil\uFFFD]52;c;cm0gLXJmIH4=\uFFFD\uFFFD\[2J \uFFFDproC\uFFFD31m +1 +3 /);
    const json = await sumi(['reporters', 'evil.example', '--db', db, '--json', ...period]);
    // XML reads a carriage return as a line end; the rest as it came.
    expect(JSON.parse(json.stdout).reporters[0].orgName).toBe(HOSTILE_ORG.replace('\r', '\n'));
  });
});
