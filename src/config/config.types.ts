import type { KeyObject } from 'node:crypto';

/** EdDSA is refused at start-up, as API.md says: jsonwebtoken, under passport-jwt, lacks it. */
export type JwtAlgorithm = 'HS256' | 'ES256' | 'RS256';
export type RefreshTokenTransport = 'body' | 'cookie' | 'both';
export type CookieSameSite = 'strict' | 'lax' | 'none';
export type EmailVerificationMode = 'off' | 'optional' | 'required';
/** Which refreshes write a `refresh` security event. */
export type RefreshEventsMode = 'changes' | 'all' | 'off';

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  /** Interface to listen on: 127.0.0.1 unless production. */
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  swaggerEnabled: boolean;
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** Trust X-Forwarded-For from a reverse proxy (client IP for sessions and rate limits). */
  trustProxy: boolean;
}

export interface DatabaseConfig {
  /** Unset outside production: an embedded PostgreSQL under `.data/` is started. */
  url?: string;
  /** Direct (unpooled) connection for LISTEN; defaults to `url`. */
  listenUrl?: string;
  embeddedDataDir: string;
  /** Named prepared statements for the hot paths; off behind a transaction-pooling proxy. */
  preparedStatements: boolean;
}

export interface JwtConfig {
  algorithm: JwtAlgorithm;
  /** Raw HS256 secrets; random per start outside production when unset. */
  accessSecret: Buffer;
  refreshSecret: Buffer;
  /** True when the secrets were generated at start (development only). */
  ephemeralSecrets: boolean;
  /** Private keys for asymmetric algorithms, read and checked at validation; the first one signs. */
  privateKeys: KeyObject[];
  /** Extra public keys that still verify: key rotation. */
  publicKeys: KeyObject[];
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  clockToleranceSeconds: number;
}

export interface SessionConfig {
  maxAgeSeconds: number;
  reuseGraceSeconds: number;
  maxPerUser: number;
  accessTokenRevocation: boolean;
  refreshTransport: RefreshTokenTransport;
  cookieSecure: boolean;
  cookieSameSite: CookieSameSite;
}

export interface AuthConfig {
  registrationOpen: boolean;
  throttleEnabled: boolean;
  loginLimit: number;
  loginTtlSeconds: number;
  emailVerification: EmailVerificationMode;
  passwordResetTtlSeconds: number;
  emailVerificationTtlSeconds: number;
}

export interface MailConfig {
  /** Unset outside production: mails are written to the log. */
  smtpUrl?: string;
  from: string;
  /** Base of the links in mails (the front end). */
  appUrl: string;
}

export interface EventsConfig {
  retentionSeconds: number;
  refresh: RefreshEventsMode;
}

export interface MetricsConfig {
  enabled: boolean;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  token?: string;
}

export interface RedisConfig {
  url?: string;
}

export interface AllConfig {
  app: AppConfig;
  database: DatabaseConfig;
  jwt: JwtConfig;
  session: SessionConfig;
  auth: AuthConfig;
  redis: RedisConfig;
  mail: MailConfig;
  events: EventsConfig;
  metrics: MetricsConfig;
}
