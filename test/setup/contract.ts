// API.md's endpoints as data for the OpenAPI suite (test/docs.e2e-spec.ts): what the generated
// document must contain, operation by operation.

/** API.md's endpoint table: method, path as OpenAPI spells it, whether a bearer token is required, success status. */
export const ENDPOINTS = [
  { method: 'post', path: '/api/v1/auth/register', secured: false, success: '201' },
  { method: 'post', path: '/api/v1/auth/login', secured: false, success: '200' },
  { method: 'post', path: '/api/v1/auth/refresh', secured: false, success: '200' },
  { method: 'post', path: '/api/v1/auth/logout', secured: false, success: '204' },
  { method: 'post', path: '/api/v1/auth/logout-all', secured: true, success: '200' },
  { method: 'get', path: '/api/v1/auth/sessions', secured: true, success: '200' },
  { method: 'delete', path: '/api/v1/auth/sessions/{id}', secured: true, success: '204' },
  { method: 'get', path: '/api/v1/auth/events', secured: true, success: '200' },
  { method: 'get', path: '/api/v1/auth/token-info', secured: true, success: '200' },
  { method: 'get', path: '/api/v1/users/me', secured: true, success: '200' },
  { method: 'patch', path: '/api/v1/users/me', secured: true, success: '200' },
  { method: 'post', path: '/api/v1/users/me/password', secured: true, success: '204' },
  { method: 'get', path: '/api/v1/users', secured: true, success: '200' },
  { method: 'delete', path: '/api/v1/users/me', secured: true, success: '204' },
  { method: 'get', path: '/api/v1/users/{id}', secured: true, success: '200' },
  { method: 'patch', path: '/api/v1/users/{id}', secured: true, success: '200' },
  { method: 'delete', path: '/api/v1/users/{id}', secured: true, success: '204' },
  { method: 'get', path: '/api/v1/users/{id}/sessions', secured: true, success: '200' },
  { method: 'delete', path: '/api/v1/users/{id}/sessions', secured: true, success: '200' },
  { method: 'post', path: '/api/v1/auth/password/forgot', secured: false, success: '202' },
  { method: 'post', path: '/api/v1/auth/password/reset', secured: false, success: '204' },
  { method: 'post', path: '/api/v1/auth/email/verification', secured: true, success: '202' },
  { method: 'post', path: '/api/v1/auth/email/verify', secured: false, success: '200' },
  { method: 'post', path: '/api/v1/users/me/email', secured: true, success: '202' },
  { method: 'get', path: '/.well-known/jwks.json', secured: false, success: '200' },
  { method: 'get', path: '/health/live', secured: false, success: '200' },
  { method: 'get', path: '/health/ready', secured: false, success: '200' },
] as const;

/** Operations that take a JSON body, and the DTO schema each should name. */
export const REQUEST_BODIES = [
  { method: 'post', path: '/api/v1/auth/register', schema: 'RegisterDto', fields: ['email', 'password', 'name'] },
  { method: 'post', path: '/api/v1/auth/login', schema: 'LoginDto', fields: ['email', 'password'] },
  { method: 'post', path: '/api/v1/auth/refresh', schema: 'RefreshTokenDto', fields: ['refreshToken'] },
  { method: 'post', path: '/api/v1/auth/logout', schema: 'RefreshTokenDto', fields: ['refreshToken'] },
  { method: 'post', path: '/api/v1/auth/logout-all', schema: 'LogoutAllDto', fields: ['keepCurrent'] },
  { method: 'patch', path: '/api/v1/users/me', schema: 'UpdateProfileDto', fields: ['name'] },
  { method: 'post', path: '/api/v1/users/me/password', schema: 'ChangePasswordDto', fields: ['currentPassword', 'newPassword'] },
  { method: 'delete', path: '/api/v1/users/me', schema: 'DeleteAccountDto', fields: ['currentPassword'] },
  { method: 'patch', path: '/api/v1/users/{id}', schema: 'AdminUpdateUserDto', fields: ['roles', 'disabled'] },
  { method: 'post', path: '/api/v1/auth/password/forgot', schema: 'ForgotPasswordDto', fields: ['email'] },
  { method: 'post', path: '/api/v1/auth/password/reset', schema: 'ResetPasswordDto', fields: ['token', 'newPassword'] },
  { method: 'post', path: '/api/v1/auth/email/verify', schema: 'VerifyEmailDto', fields: ['token'] },
  { method: 'post', path: '/api/v1/users/me/email', schema: 'ChangeEmailDto', fields: ['newEmail', 'currentPassword'] },
] as const;

/** The success body each JSON-returning API operation should document. */
export const RESPONSE_SCHEMAS = [
  { method: 'post', path: '/api/v1/auth/register', status: '201', schema: 'RegisterResponseDto', array: false },
  { method: 'post', path: '/api/v1/auth/login', status: '200', schema: 'TokenResponseDto', array: false },
  { method: 'post', path: '/api/v1/auth/refresh', status: '200', schema: 'TokenResponseDto', array: false },
  { method: 'post', path: '/api/v1/auth/logout-all', status: '200', schema: 'LogoutAllResponseDto', array: false },
  { method: 'get', path: '/api/v1/auth/sessions', status: '200', schema: 'SessionResponseDto', array: true },
  { method: 'get', path: '/api/v1/auth/events', status: '200', schema: 'AuthEventPageDto', array: false },
  { method: 'get', path: '/api/v1/auth/token-info', status: '200', schema: 'TokenInfoDto', array: false },
  { method: 'get', path: '/api/v1/users/me', status: '200', schema: 'UserResponseDto', array: false },
  { method: 'patch', path: '/api/v1/users/me', status: '200', schema: 'UserResponseDto', array: false },
  { method: 'get', path: '/api/v1/users', status: '200', schema: 'UserPageDto', array: false },
  { method: 'get', path: '/api/v1/users/{id}', status: '200', schema: 'UserResponseDto', array: false },
  { method: 'patch', path: '/api/v1/users/{id}', status: '200', schema: 'UserResponseDto', array: false },
  { method: 'get', path: '/api/v1/users/{id}/sessions', status: '200', schema: 'SessionResponseDto', array: true },
  { method: 'delete', path: '/api/v1/users/{id}/sessions', status: '200', schema: 'LogoutAllResponseDto', array: false },
  { method: 'post', path: '/api/v1/auth/email/verify', status: '200', schema: 'UserResponseDto', array: false },
] as const;

/** Operations that read a query string (PaginationQueryDto). */
export const QUERIES = [
  { method: 'get', path: '/api/v1/auth/events', names: ['page', 'pageSize'] },
  { method: 'get', path: '/api/v1/users', names: ['email', 'page', 'pageSize'] },
] as const;

/** AuthThrottlerGuard's routes, the hourly limits of the routes that mail links, the current-password limit. */
export const RATE_LIMITED = [
  { method: 'post', path: '/api/v1/users/me/password' },
  { method: 'post', path: '/api/v1/users/me/email' },
  { method: 'delete', path: '/api/v1/users/me' },
  { method: 'post', path: '/api/v1/auth/password/forgot' },
  { method: 'post', path: '/api/v1/auth/email/verification' },
  { method: 'post', path: '/api/v1/auth/register' },
  { method: 'post', path: '/api/v1/auth/login' },
  { method: 'post', path: '/api/v1/auth/refresh' },
  { method: 'post', path: '/api/v1/auth/logout' },
] as const;
