import { createFunctionHandler } from '../../shared/http/handler';
import { fleetOperations } from './fleet-operations';

/** The fleet index: installations of a part number, and the impact of an OTA update or bulletin. */
export const handler = createFunctionHandler('fleet', fleetOperations);
