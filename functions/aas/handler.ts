import { createFunctionHandler } from '../../shared/http/handler';
import { aasOperationId } from '../../shared/route-table/aas';
import { aasOperations } from './operations';

/** The AAS API read profile: shells and submodels of the caller's twins, or of those shared with it. */
export const handler = createFunctionHandler('aas', aasOperations(aasOperationId));
