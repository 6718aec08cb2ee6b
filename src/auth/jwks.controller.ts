import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../common/auth/public.decorator.js';
import { JwksDocs } from './jwks.docs.js';
import { JwtKeys } from './jwt-keys.js';

@ApiTags('auth')
@Controller({ path: '.well-known', version: VERSION_NEUTRAL })
export class JwksController {
  constructor(private readonly keys: JwtKeys) {}

  @Get('jwks.json')
  @Public()
  @Header('Cache-Control', 'public, max-age=300')
  @JwksDocs()
  jwks(): { keys: object[] } {
    return { keys: this.keys.access.jwks };
  }
}
