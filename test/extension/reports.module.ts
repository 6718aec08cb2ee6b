import { Module } from '@nestjs/common';
import { LoginAuditListener } from './login-audit.listener.js';
import { ReportsController } from './reports.controller.js';

@Module({
  controllers: [ReportsController],
  providers: [LoginAuditListener],
})
export class ReportsModule {}
