import { createFunctionHandler } from '../../shared/http/handler';
import { events } from './feed-operations';

/** The change feed. Deployed, the table's stream also carries every event to EventBridge (infra/stack.ts). */
export const handler = createFunctionHandler('events', { events });
