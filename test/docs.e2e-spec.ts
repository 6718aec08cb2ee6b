import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ENDPOINTS, QUERIES, RATE_LIMITED, REQUEST_BODIES, RESPONSE_SCHEMAS } from './setup/contract.js';
import { useTestApp } from './setup/create-test-app.js';

type Schema = {
  $ref?: string;
  type?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
  anyOf?: Schema[];
  required?: string[];
};

interface MediaType {
  schema?: Schema;
  example?: unknown;
  examples?: Record<string, { summary?: string; value: Record<string, unknown> }>;
}

interface Operation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, MediaType> };
  responses: Record<string, { description?: string; content?: Record<string, MediaType>; headers?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes?: Record<string, { type: string; scheme?: string; bearerFormat?: string }>;
  };
}

const PROBLEM_JSON = 'application/problem+json';

const refName = (schema: Schema | undefined) => schema?.$ref?.replace('#/components/schemas/', '');

describe('OpenAPI document and Swagger UI', () => {
  const t = useTestApp();
  let doc: OpenApiDocument;

  beforeAll(async () => {
    doc = (await request(t.server).get('/docs-json').expect(200)).body;
  });

  const operation = (method: string, path: string): Operation => {
    const found = doc.paths[path]?.[method];
    if (!found) throw new Error(`${method.toUpperCase()} ${path} is not in the OpenAPI document`);
    return found;
  };

  it('GET /docs-json serves an OpenAPI 3 document as JSON', async () => {
    const response = await request(t.server).get('/docs-json').expect(200);

    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.openapi).toMatch(/^3\./);
  });

  const documented = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
  const contract = ENDPOINTS.map(({ method, path }) => `${method.toUpperCase()} ${path}`);

  it('lists every endpoint of the contract', () => {
    expect(documented()).toEqual(expect.arrayContaining(contract));
  });

  it('lists no endpoint outside the contract (no test-only or internal routes)', () => {
    expect(documented().filter((endpoint) => !contract.includes(endpoint))).toEqual([]);
  });

  it('declares the bearer scheme under components.securitySchemes', () => {
    const schemes = Object.values(doc.components.securitySchemes ?? {});

    expect(schemes).toContainEqual(expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }));
  });

  it.each(ENDPOINTS.filter((endpoint) => endpoint.secured))('requires the bearer scheme on $method $path', ({ method, path }) => {
    const [bearerName] = Object.entries(doc.components.securitySchemes ?? {}).find(([, scheme]) => scheme.scheme === 'bearer')!;

    expect(operation(method, path).security).toEqual([{ [bearerName]: [] }]);
    expect(operation(method, path).responses['401']).toBeDefined();
  });

  // Refresh and logout carry the refresh-cookie scheme instead (test/openapi-document.e2e-spec.ts).
  const PUBLIC = ENDPOINTS.filter(({ secured, path }) => !secured && !/\/auth\/(refresh|logout)$/.test(path));
  it.each(PUBLIC)('has no security requirement on $method $path', ({ method, path }) => {
    const security = operation(method, path).security;

    expect(security === undefined || security.length === 0).toBe(true);
  });

  it.each(ENDPOINTS.filter(({ path }) => path.startsWith('/api/v1/users') && !path.includes('/me')))(
    'documents 403 on the admin-only $method $path',
    ({ method, path }) => expect(operation(method, path).responses['403']).toBeDefined(),
  );

  it.each(REQUEST_BODIES)('documents the JSON body of $method $path ($schema)', ({ method, path, schema, fields }) => {
    const body = operation(method, path).requestBody;

    expect(refName(body?.content?.['application/json']?.schema)).toBe(schema);
    expect(Object.keys(doc.components.schemas[schema].properties ?? {}).sort()).toEqual([...fields].sort());
  });

  it.each(RESPONSE_SCHEMAS)('documents the $status body of $method $path ($schema)', ({ method, path, status, schema, array }) => {
    const documented = operation(method, path).responses[status]?.content?.['application/json']?.schema;

    if (array) {
      expect(documented?.type).toBe('array');
      expect(refName(documented?.items)).toBe(schema);
    } else {
      // A body with variants (register's 201 with or without tokens) names them under anyOf.
      const variants = documented?.anyOf ? documented.anyOf.map(refName) : [refName(documented)];
      expect(variants).toContain(schema);
    }
    expect(doc.components.schemas[schema]).toBeDefined();
  });

  it.each(ENDPOINTS.filter((endpoint) => endpoint.success === '204'))('documents 204 without a body on $method $path', ({ method, path }) => {
    const response = operation(method, path).responses['204'];

    expect(response).toBeDefined();
    expect(response.content).toBeUndefined();
  });

  it('documents the JWKS body as { keys: [...] }', () => {
    const schema = operation('get', '/.well-known/jwks.json').responses['200']?.content?.['application/json']?.schema;

    expect(schema).toMatchObject({ type: 'object', properties: { keys: { type: 'array' } } });
  });

  it('documents the public user as exactly { id, email, emailVerified, name, roles, disabled, createdAt }', () => {
    const user = doc.components.schemas.UserResponseDto;

    const fields = ['createdAt', 'disabled', 'email', 'emailVerified', 'id', 'name', 'roles'];
    expect(Object.keys(user.properties ?? {}).sort()).toEqual(fields);
    expect(JSON.stringify(doc.components.schemas)).not.toMatch(/passwordHash|password_hash/);
  });

  it('documents the token response fields of the contract', () => {
    const tokens = doc.components.schemas.TokenResponseDto;

    expect(Object.keys(tokens.properties ?? {}).sort()).toEqual(
      ['accessToken', 'expiresIn', 'refreshExpiresIn', 'refreshToken', 'tokenType'].sort(),
    );
  });

  it('documents the problem document shape for errors', () => {
    const problem = doc.components.schemas.ProblemDto;

    expect(Object.keys(problem.properties ?? {})).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'code', 'errors']),
    );
    expect(refName(operation('patch', '/api/v1/users/me').responses['400']?.content?.[PROBLEM_JSON]?.schema)).toBe('ProblemDto');
  });

  /** Every documented 4xx/5xx response, as "METHOD path status". */
  const errorResponses = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).flatMap(([method, op]) =>
        Object.entries(op.responses)
          .filter(([status]) => Number(status) >= 400)
          .map(([status, response]) => ({ name: `${method.toUpperCase()} ${path} ${status}`, status: Number(status), response })),
      ),
    );

  it('documents errors at all (the checks below are not vacuous)', () => {
    expect(errorResponses().length).toBeGreaterThan(30);
  });

  it('documents every error response as application/problem+json with the ProblemDto schema, and only that', () => {
    const wrong = errorResponses()
      .filter(({ response }) => {
        const types = Object.keys(response.content ?? {});
        return types.length !== 1 || types[0] !== PROBLEM_JSON || refName(response.content?.[PROBLEM_JSON]?.schema) !== 'ProblemDto';
      })
      .map(({ name, response }) => `${name}: ${Object.keys(response.content ?? {}).join(', ') || 'no content'}`);

    expect(wrong).toEqual([]);
  });

  it('gives every error response examples whose status, type and code agree with it', () => {
    const wrong = errorResponses().flatMap(({ name, status, response }) => {
      const examples = Object.entries(response.content?.[PROBLEM_JSON]?.examples ?? {});
      if (examples.length === 0) return [`${name}: no examples`];
      return examples
        .filter(([, { value }]) => value.status !== status || value.type !== `urn:problem-type:auth-service:${String(value.code)}` || !value.title)
        .map(([key]) => `${name}: example ${key}`);
    });

    expect(wrong).toEqual([]);
  });

  it('documents the media type the service really answers errors with', async () => {
    const response = await request(t.server).get('/api/v1/users/me').expect(401);
    const mediaType = String(response.headers['content-type']).split(';')[0];

    expect(mediaType).toBe(PROBLEM_JSON);
    expect(Object.keys(operation('get', '/api/v1/users/me').responses['401'].content ?? {})).toEqual([mediaType]);
    expect(Object.keys(operation('get', '/api/v1/users/me').responses['401'].content?.[mediaType]?.examples ?? {})).toContain(
      response.body.code,
    );
  });

  it.each([...REQUEST_BODIES, ...QUERIES])('documents 400 validation_failed on $method $path', ({ method, path }) => {
    const response = operation(method, path).responses['400'];

    expect(response?.description).toContain('`validation_failed`');
    expect(refName(response?.content?.[PROBLEM_JSON]?.schema)).toBe('ProblemDto');
  });

  it.each(QUERIES)('documents the query parameters of $method $path', ({ method, path, names }) => {
    const query = (operation(method, path).parameters ?? []).filter((parameter) => parameter.in === 'query').map((p) => p.name);

    expect(query.sort()).toEqual(names);
  });

  it.each(REQUEST_BODIES)('documents 415 unsupported_media_type on $method $path', ({ method, path }) => {
    expect(operation(method, path).responses['415']?.content?.[PROBLEM_JSON]).toBeDefined();
  });

  it.each(RATE_LIMITED)('documents 429 rate_limited with Retry-After on $method $path', ({ method, path }) => {
    const response = operation(method, path).responses['429'];

    expect(response?.content?.[PROBLEM_JSON]?.examples?.rate_limited?.value).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(response?.headers?.['Retry-After']).toBeDefined();
  });

  it('documents 429 only where a rate limit runs', () => {
    const limited = errorResponses()
      .filter(({ status }) => status === 429)
      .map(({ name }) => name.replace(/ 429$/, ''));

    expect(limited.sort()).toEqual(RATE_LIMITED.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort());
  });

  /** A component schema by $ref, or the schema itself; `allOf: [{ $ref }]` (a described property) resolves too. */
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    const ref = refName(schema) ?? refName(schema?.allOf?.[0]);
    return ref ? doc.components.schemas[ref] : schema;
  };

  it.each(['/health/live', '/health/ready'])('documents the 200 body of GET %s', (path) => {
    const body = resolve(operation('get', path).responses['200']?.content?.['application/json']?.schema);

    expect(body?.type).toBe('object');
    expect(Object.keys(body?.properties ?? {}).sort()).toEqual(['details', 'error', 'info', 'status']);
    expect(body?.required).toEqual(expect.arrayContaining(['status']));
  });

  it('documents the readiness indicators: database and migrations, and redis with REDIS_URL', async () => {
    const body = resolve(operation('get', '/health/ready').responses['200']?.content?.['application/json']?.schema);
    const details = resolve(body?.properties?.details);
    const served = await request(t.server).get('/health/ready').expect(200);

    expect(Object.keys(details?.properties ?? {}).sort()).toEqual(['database', 'migrations', 'redis']);
    expect([...(details?.required ?? [])].sort()).toEqual(['database', 'migrations']);
    expect(Object.keys(served.body.details).sort()).toEqual(['database', 'migrations']);
  });

  it.each(['/health/live', '/health/ready'])('documents 503 on GET %s as a problem document', (path) => {
    const response = operation('get', path).responses['503'];

    expect(Object.keys(response?.content ?? {})).toEqual([PROBLEM_JSON]);
  });

  it.each(RESPONSE_SCHEMAS)('gives the $status body of $method $path an example', ({ method, path, status }) => {
    const media = operation(method, path).responses[status]?.content?.['application/json'];
    expect(media?.example ?? media?.examples).toBeDefined();
  });

  it('GET /docs serves the Swagger UI page', async () => {
    const response = await request(t.server).get('/docs').expect(200);

    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('Swagger UI');
  });

  it('serves Swagger UI under a CSP that runs its own scripts only and loads nothing from elsewhere', async () => {
    const response = await request(t.server).get('/docs').expect(200);
    const directives = new Map(
      String(response.headers['content-security-policy'])
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values] as const),
    );

    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('script-src-attr')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'data:']);
    expect(directives.get('font-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
    // Over plain http on any host but localhost it would send the assets to https://: a blank page.
    expect(directives.has('upgrade-insecure-requests')).toBe(false);
  });

  it('serves the Swagger UI assets the page loads, with the same policy', async () => {
    const page = await request(t.server).get('/docs').expect(200);
    const assets = [...page.text.matchAll(/(?:src|href)="\.\/(docs\/[^"]+)"/g)].map(([, asset]) => `/${asset}`);

    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js', '/docs/swagger-ui-init.js', '/docs/swagger-ui.css']));
    for (const asset of assets) {
      const response = await request(t.server).get(asset).expect(200);
      expect(response.headers['content-security-policy']).toBe(page.headers['content-security-policy']);
    }
  });

  it('configures Swagger UI to keep the token across reloads and to load no validator badge', async () => {
    const init = await request(t.server).get('/docs/swagger-ui-init.js').expect(200);

    expect(init.text).toMatch(/"persistAuthorization":\s*true/);
    expect(init.text).toMatch(/"validatorUrl":\s*null/);
  });

  describe('with SWAGGER_ENABLED=false', () => {
    const disabled = useTestApp({ env: { SWAGGER_ENABLED: 'false' } });

    it.each(['/docs', '/docs-json'])('GET %s answers 404 not_found', async (path) => {
      const response = await request(disabled.server).get(path).expect(404);

      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 404, code: 'not_found' });
    });

    it('still serves the API itself', async () => {
      await request(disabled.server).get('/health/live').expect(200);
    });
  });
});
