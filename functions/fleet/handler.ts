import { createFunctionHandler } from '../../shared/http/handler';
import { fleetOperations } from './fleet-operations';
import { searchOperations } from './search-operations';

/** The fleet index (installations of a part number, the impact of an OTA update or bulletin) and the tenant's search. */
export const handler = createFunctionHandler('fleet', { ...fleetOperations, ...searchOperations });
