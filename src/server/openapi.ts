/** The OpenAPI 3.1 document, generated from the routes' zod schemas (route.ts). */
import { z } from 'zod';
import type { AnyRouteSpec } from './route.ts';

export type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _omitted, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const object = schemaOf(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

export const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
};

/**
 * `protocolPaths`: endpoints outside the API that serve a protocol rather than a user (the https
 * rua of SMTP TLS reporting), each documented by the module that serves it.
 */
export function openApiDocument(
  routes: readonly AnyRouteSpec[],
  version: string,
  protocolPaths: Record<string, Record<string, JsonSchema>> = {},
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = { ...protocolPaths };
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const operation: JsonSchema = {
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        '200': {
          description: 'OK',
          content: {
            [route.produces ?? 'application/json']: {
              schema: route.response
                ? schemaOf(route.response, 'output')
                : route.produces
                  ? { type: 'string' }
                  : {},
            },
          },
        },
        '4XX': { description: 'Error', content: { 'application/json': { schema: ERROR_SCHEMA } } },
      },
      'x-sumi-least-role': route.access,
    };
    if (route.access !== 'public') operation.security = [{ session: [], csrf: [] }, { token: [] }];
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    }
    if (route.multipart) {
      operation.requestBody = {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: { file: { type: 'array', items: { type: 'string', format: 'binary' } } },
            },
          },
        },
      };
    }
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sumi API',
      version,
      description:
        'DMARC reports, analysis and checks. Log in with POST /api/auth/login (cookie sumi_session; send x-csrf-token on every POST and DELETE), or send an API token as Authorization: Bearer. A domain or report outside your access answers 404.',
    },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'sumi_session' },
        csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        token: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
  };
}
