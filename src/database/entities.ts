import { LinkToken } from '../account/entities/link-token.entity.js';
import { AuthEvent } from '../sessions/entities/auth-event.entity.js';
import { Session } from '../sessions/entities/session.entity.js';
import { User } from '../users/entities/user.entity.js';

/** Every TypeORM entity: shared by the application and the migration CLI. */
export const ENTITIES = [User, Session, AuthEvent, LinkToken];
