import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedException } from './app.exception.js';

/**
 * A path parameter that must be a UUID: anything else is 400 `validation_failed` before it reaches
 * a `uuid` column (where PostgreSQL would refuse it with an error of its own).
 */
export const UuidParam = (name = 'id'): ParameterDecorator =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => new ValidationFailedException([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
