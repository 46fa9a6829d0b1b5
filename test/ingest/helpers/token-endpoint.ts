/**
 * A local OAuth 2.0 token endpoint over HTTPS (certificate from the test CA), as Microsoft Entra
 * ID's answers the client credentials grant: it keeps every request's form and content type, and
 * answers as the test says, by default with a new token each time (cc-1, cc-2, ...).
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from '../../helpers/tls.ts';

export const TOKEN_PATH = '/contoso.onmicrosoft.com/oauth2/v2.0/token';

export interface TokenRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  form: Record<string, string>;
}

export interface TokenAnswer {
  status: number;
  body: string;
}

export interface TokenEndpoint {
  /** The endpoint's URL: https://localhost:PORT/contoso.onmicrosoft.com/oauth2/v2.0/token. */
  url: string;
  port: number;
  requests: TokenRequest[];
  /** The tokens issued, in order. */
  issued: string[];
  /** How a request is answered; `issue()` gives the next token as Entra does. */
  answer: (request: TokenRequest) => TokenAnswer | Promise<TokenAnswer>;
  issue: () => TokenAnswer;
  /** Forgets the requests and tokens, and answers by `issue()` again. */
  reset: () => void;
  close: () => Promise<void>;
}

export async function serveTokenEndpoint(pki: TestPki): Promise<TokenEndpoint> {
  const endpoint: TokenEndpoint = {
    url: '',
    port: 0,
    requests: [],
    issued: [],
    answer: () => endpoint.issue(),
    issue: () => {
      const token = `cc-${endpoint.issued.length + 1}`;
      endpoint.issued.push(token);
      return {
        status: 200,
        body: JSON.stringify({
          token_type: 'Bearer',
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: token,
        }),
      };
    },
    reset: () => {
      endpoint.requests = [];
      endpoint.issued = [];
      endpoint.answer = () => endpoint.issue();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const server = https.createServer(pki.issue(['localhost']), (request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', async () => {
      const asked: TokenRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        form: Object.fromEntries(new URLSearchParams(body)),
      };
      endpoint.requests.push(asked);
      const { status, body: answer } = await endpoint.answer(asked);
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.port = (server.address() as AddressInfo).port;
  endpoint.url = `https://localhost:${endpoint.port}${TOKEN_PATH}`;
  return endpoint;
}
