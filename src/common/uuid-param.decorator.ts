import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedException } from './app.exception.js';

/** The problem a malformed UUID parameter answers with (also the Swagger example). */
export const INVALID_UUID = (name: string) =>
  ['invalid_id', new ValidationFailedException([{ field: name, message: `${name} must be a UUID` }])] as const;

/** A route parameter that must be a UUID: anything else is 400 `validation_failed` naming it. */
export const UuidParam = (name = 'id') =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => INVALID_UUID(name)[1] }));
