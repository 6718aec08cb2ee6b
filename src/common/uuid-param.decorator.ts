import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedException } from './app.exception.js';

/** A route parameter that must be a UUID: anything else is 400 `validation_failed` naming it. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => new ValidationFailedException([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
