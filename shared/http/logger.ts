import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per function instance; request id and tenant are appended per request. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'twinthread' });
