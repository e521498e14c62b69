import { BASELINE_JOB_EVENT } from '../../shared/services/scheduled-baselines';
import { lambdaContext, loadFunction } from './functions';

/**
 * What EventBridge Scheduler does deployed, on a timer: invokes the twins function with the
 * baseline job's input every `intervalMs`. One run at a time; a run that fails is logged and the
 * next tick runs again (the job is idempotent and catches up).
 */
export function startLocalScheduler(intervalMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = (async () => {
      try {
        const handler = await loadFunction('twins');
        await handler(BASELINE_JOB_EVENT as never, lambdaContext('twins', `schedule-${Date.now()}`), {
          signal: new AbortController().signal,
        });
      } catch (error) {
        console.error('scheduled baselines failed:', error);
      } finally {
        running = undefined;
      }
    })();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
