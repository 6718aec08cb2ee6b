import { describe, expect, it } from '@jest/globals';
import type { ArgumentMetadata } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { AdminUpdateUserDto } from '../auth/dto/admin-update-user.dto.js';
import { LoginDto } from '../auth/dto/login.dto.js';
import { RefreshTokenDto } from '../auth/dto/refresh-token.dto.js';
import { RegisterDto } from '../auth/dto/register.dto.js';
import { PaginationQueryDto } from './pagination.dto.js';
import { ValidationFailedException } from './app.exception.js';
import { createValidationPipe } from './validation.pipe.js';

const body: ArgumentMetadata = { type: 'body', metatype: RefreshTokenDto };
const TOKEN = 'header.payload.signature';

/** What the decorators alone say of a body: the check `accepts` must never be laxer. */
async function decoratorErrors(value: unknown): Promise<number> {
  const dto = plainToInstance(RefreshTokenDto, value ?? {});
  return (await validate(dto as object, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true })).length;
}

async function problemOf(value: unknown, metadata: ArgumentMetadata = body) {
  const error = await Promise.resolve(createValidationPipe().transform(value, metadata)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationFailedException);
  return (error as ValidationFailedException).errors;
}

describe('AppValidationPipe with a DTO that checks its usual shape (RefreshTokenDto)', () => {
  it.each([
    ['no body', undefined],
    ['{}', {}],
    ['a token', { refreshToken: TOKEN }],
    ['a token of the longest length', { refreshToken: 'x'.repeat(4096) }],
  ])('recognises %s itself, as an instance the decorators also accept', async (_case, value) => {
    expect(RefreshTokenDto.accepts(value)).toBe(true);
    await expect(decoratorErrors(value)).resolves.toBe(0);

    const result = await createValidationPipe().transform(value, body);

    expect(result).toBeInstanceOf(RefreshTokenDto);
    expect({ ...(result as object) }).toEqual(value ?? {});
  });

  it('hands anything else to class-validator, which still accepts a valid body it did not recognise', async () => {
    const value = { refreshToken: null };
    expect(RefreshTokenDto.accepts(value)).toBe(false);

    await expect(createValidationPipe().transform(value, body)).resolves.toBeInstanceOf(RefreshTokenDto);
  });

  it.each([
    ['an unknown property', { refreshToken: TOKEN, deviceId: 'x' }, 'deviceId', 'deviceId is not allowed'],
    ['a number', { refreshToken: 42 }, 'refreshToken', 'refreshToken must be a string'],
    ['a token too long', { refreshToken: 'x'.repeat(4097) }, 'refreshToken', 'refreshToken must be shorter than or equal to 4096 characters'],
  ])('refuses %s with class-validator’s field error', async (_case, value, field, message) => {
    expect(RefreshTokenDto.accepts(value)).toBe(false);
    await expect(decoratorErrors(value)).resolves.toBeGreaterThan(0);

    await expect(problemOf(value)).resolves.toEqual([{ field, message }]);
  });

  it.each([
    ['an array', [TOKEN]],
    ['a string', 'text'],
    ['a number', 7],
    ['null', null],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { refreshToken: TOKEN })],
  ])('does not take %s as a plain body', (_case, value) => {
    expect(RefreshTokenDto.accepts(value)).toBe(false);
  });
});

describe('AppValidationPipe on a value of the wrong type', () => {
  it.each([
    ['a numeric password', LoginDto, { email: 'ada@example.com', password: 42 }, 'password', 'password must be a string'],
    ['a numeric email', LoginDto, { email: 42, password: 'x' }, 'email', 'email must be an email'],
    ['a numeric name', RegisterDto, { email: 'ada@example.com', password: 'a long enough passphrase', name: 42 }, 'name', 'name must be a string'],
    ['roles given as one string', AdminUpdateUserDto, { roles: 'admin' }, 'roles', 'roles must be an array'],
  ])('names the type for %s, not a length or range rule', async (_case, dto, value, field, message) => {
    await expect(problemOf(value, { type: 'body', metatype: dto })).resolves.toEqual([{ field, message }]);
  });

  it('names the type for a page that is not a number', async () => {
    await expect(problemOf({ page: 'abc' }, { type: 'query', metatype: PaginationQueryDto })).resolves.toEqual([
      { field: 'page', message: 'page must be an integer number' },
    ]);
  });
});

describe('AppValidationPipe on a custom parameter decorator', () => {
  it('hands the value back as it is, without a promise, whatever its class would refuse', () => {
    const principal = { refreshToken: 42, extra: true };

    const result = createValidationPipe().transform(principal, { type: 'custom', metatype: RefreshTokenDto });

    expect(result).toBe(principal);
  });
});
