import { Module } from '@nestjs/common';
import { CurrentPasswordCheck } from './current-password.check.js';
import { DatabaseModule } from '../database/database.module.js';
import { User } from './entities/user.entity.js';
import { PasswordService } from './password.service.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [DatabaseModule.forFeature([User])],
  controllers: [UsersController],
  providers: [UsersService, UsersRepository, PasswordService, CurrentPasswordCheck],
  exports: [UsersService],
})
export class UsersModule {}
