import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { runTenantExport } from '../../shared/export-service';
import { createFunctionHandler } from '../../shared/http/handler';
import { isExportJobEvent } from '../../shared/store/export-store';
import { exportTwin, getExport, importTwin, startExport } from './operations';

const api = createFunctionHandler('exchange', { exportTwin, importTwin, startExport, getExport });

/**
 * Exchange: exports and imports over the API, and the tenant export jobs this function hands to
 * itself as asynchronous invocations (`{exportJob: {tenant, id}}`, never reachable over HTTP).
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
  options: { signal: AbortSignal },
): Promise<APIGatewayProxyStructuredResultV2> {
  if (!isExportJobEvent(event)) return (await api(event, context, options)) ?? { statusCode: 500 };
  await runTenantExport(event.exportJob.tenant, event.exportJob.id);
  return { statusCode: 200 };
}
