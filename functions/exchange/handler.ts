import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createFunctionHandler } from '../../shared/http/handler';
import { isRejudgeEvent, runRejudgeStage } from '../../shared/services/conformance-service';
import { runExportStage } from '../../shared/services/tenant-export';
import { isExportJobEvent } from '../../shared/store/export-store';
import { exportTwin, getExport, importRecords, importTwin, startExport } from './operations';

const api = createFunctionHandler('exchange', {
  exportTwin,
  importTwin,
  importRecords,
  startExport,
  getExport,
});

/**
 * Exchange: exports and imports over the API, and the stages of tenant export jobs this function
 * hands to itself as asynchronous invocations (`{exportJob: {tenant, id, stage}}`, never reachable
 * over HTTP), and those of the re-judgement an imported configuration model starts (`{rejudge}`).
 * A stage stops while this invocation still has time left and invokes the next one.
 */
export async function handler(
  event: APIGatewayProxyEventV2,
  context: Context,
  options: { signal: AbortSignal },
): Promise<APIGatewayProxyStructuredResultV2> {
  const remainingMs = () => context.getRemainingTimeInMillis();
  // a configuration model imported re-judges the product's fleet in stages of this function too
  if (isRejudgeEvent(event)) {
    const { tenant, productPartNumber, version } = event.rejudge;
    await runRejudgeStage(tenant, productPartNumber, version, { remainingMs });
    return { statusCode: 200 };
  }
  if (!isExportJobEvent(event)) return (await api(event, context, options)) ?? { statusCode: 500 };
  const { tenant, id, stage } = event.exportJob;
  await runExportStage(tenant, id, stage ?? 1, { remainingMs });
  return { statusCode: 200 };
}
