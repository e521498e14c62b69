import { createFunctionHandler } from '../../shared/http/handler';

export const handler = createFunctionHandler('exchange', {});
