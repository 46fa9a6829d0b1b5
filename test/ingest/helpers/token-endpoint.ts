/**
 * A local OAuth 2.0 token endpoint over HTTPS (certificate from the test CA), as Microsoft Entra
 * ID's answers the client credentials grant: it keeps every request's form and content type, and
 * answers as the test says, by default with a new token each time (cc-1, cc-2, ...); and as
 * Google's answers a service account's JWT bearer grant (`googleAnswer`), checking what Google checks.
 */
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
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

/** What a Google service account's JWT must say for the endpoint to take it. */
export interface ExpectedAssertion {
  /** The service account's public key, which checks the RS256 signature. */
  publicKey: KeyObject;
  kid: string;
  iss: string;
  sub: string;
  scope: string;
  aud: string;
}

/** A JWT's parts decoded: header, claims, and the signed text with its signature. */
export function decodeJwt(jwt: string) {
  const [header = '', claims = '', signature = ''] = jwt.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return {
    header: json(header),
    claims: json(claims),
    signed: `${header}.${claims}`,
    signature: Buffer.from(signature, 'base64url'),
    parts: jwt.split('.').length,
  };
}

/**
 * Why Google's token endpoint would refuse this JWT bearer request, or '' when it would issue a
 * token: the grant type, the assertion's header (RS256, JWT, the key's kid), its claims (iss, sub,
 * scope, aud; iat within a minute of now, exp an hour after it) and its RS256 signature.
 */
export function jwtBearerProblem(request: TokenRequest, expected: ExpectedAssertion): string {
  const { form } = request;
  if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
    return `grant_type ${form.grant_type}`;
  if (Object.keys(form).sort().join() !== 'assertion,grant_type') return `form ${Object.keys(form)}`;
  let jwt: ReturnType<typeof decodeJwt>;
  try {
    jwt = decodeJwt(form.assertion ?? '');
  } catch {
    return 'assertion not a JWT';
  }
  if (jwt.parts !== 3) return 'assertion not a JWT';
  const { header, claims } = jwt;
  if (JSON.stringify(header) !== JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: expected.kid }))
    return `header ${JSON.stringify(header)}`;
  for (const name of ['iss', 'sub', 'scope', 'aud'] as const)
    if (claims[name] !== expected[name]) return `${name} ${claims[name]}`;
  const now = Date.now() / 1000;
  if (!Number.isInteger(claims.iat) || Math.abs(claims.iat - now) > 60) return `iat ${claims.iat}`;
  if (claims.exp - claims.iat !== 3600) return `exp ${claims.exp}`;
  if (!verify('sha256', Buffer.from(jwt.signed), expected.publicKey, jwt.signature)) return 'signature';
  return '';
}

/** Answers as Google does: a token when the JWT checks out, else 400 invalid_grant saying what is wrong. */
export function googleAnswer(endpoint: TokenEndpoint, expected: ExpectedAssertion) {
  return (request: TokenRequest): TokenAnswer => {
    const problem = jwtBearerProblem(request, expected);
    if (!problem) return endpoint.issue();
    return {
      status: 400,
      body: JSON.stringify({ error: 'invalid_grant', error_description: `test endpoint: ${problem}` }),
    };
  };
}

/** A new RSA key pair and the JSON key file Google would give for it, its token_uri `tokenUrl`. */
export function googleKey(tokenUrl: string, clientEmail = 'sumi@dmarc-project.iam.gserviceaccount.com') {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyId = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
  const json = {
    type: 'service_account',
    project_id: 'dmarc-project',
    private_key_id: privateKeyId,
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    client_email: clientEmail,
    client_id: '104000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUrl,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(clientEmail)}`,
    universe_domain: 'googleapis.com',
  };
  return { json, publicKey, privateKeyId, clientEmail };
}
