import { createFunctionHandler } from '../../shared/http/handler';
import { usageOperations } from './usage-operations';

/** Usage and life: usage parameters and records, component usage and life, part masters, LLP sheets, fleet life and removals. */
export const handler = createFunctionHandler('usage', usageOperations);
