import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';

const BASE64URL = '^[A-Za-z0-9_-]+$';

/** OpenAPI of JwksController. */
export const JwksDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Public keys that verify access tokens', description: 'Empty `keys` with HS256.' }),
    ApiOkResponse({
      description: 'RFC 7517 JWK Set: the signing key and older ones that still verify.',
      schema: {
        type: 'object',
        required: ['keys'],
        properties: {
          keys: {
            type: 'array',
            items: {
              type: 'object',
              description: 'Public JWK with `kid` (RFC 7638 thumbprint), `alg` and `use: sig`.',
              required: ['kty', 'kid', 'alg', 'use'],
              properties: {
                kty: { type: 'string', enum: ['EC', 'RSA'] },
                kid: { type: 'string', pattern: BASE64URL },
                alg: { type: 'string', enum: ['ES256', 'RS256'] },
                use: { type: 'string', enum: ['sig'] },
                crv: { type: 'string', enum: ['P-256'], description: 'EC keys.' },
                x: { type: 'string', pattern: BASE64URL, description: 'EC keys: base64url coordinate.' },
                y: { type: 'string', pattern: BASE64URL, description: 'EC keys: base64url coordinate.' },
                n: { type: 'string', pattern: BASE64URL, description: 'RSA keys: base64url modulus.' },
                e: { type: 'string', pattern: BASE64URL, description: 'RSA keys: base64url exponent.' },
              },
              additionalProperties: false,
            },
          },
        },
      },
      example: {
        keys: [
          {
            kty: 'EC',
            crv: 'P-256',
            x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
            y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
            kid: 'oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U',
            alg: 'ES256',
            use: 'sig',
          },
        ],
      },
    }),
  );
