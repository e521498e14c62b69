/** An answer of the API: status and parsed JSON body. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
  body: any;
}

/** The run cannot go on (the API is down, the token refused): the checkpoint keeps what was done. */
export class FatalError extends Error {}

/** Statuses worth another try: busy, still in progress (the same Idempotency-Key), the server failing. */
const RETRIED = new Set([409, 429, 500, 502, 503, 504]);
const ATTEMPTS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function apiClient(baseUrl: string, token: string) {
  const url = baseUrl.replace(/\/+$/, '');
  return async function send(
    path: string,
    body: unknown,
    options: { headers?: Record<string, string>; retryConflict?: boolean } = {},
  ): Promise<Answer> {
    let last = '';
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      let answer: Answer | undefined;
      let retryAfter: number | undefined;
      try {
        const response = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            ...options.headers,
          },
          body: JSON.stringify(body),
        });
        const text = await response.text();
        answer = { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
        retryAfter = Number(response.headers.get('retry-after')) || undefined;
        last = `${response.status} ${answer.body?.detail ?? ''}`;
      } catch (error) {
        last = (error as Error).message;
      }
      if (answer && answer.status === 401) throw new FatalError(`the API refused the token: ${last}`);
      if (answer && answer.status === 403) throw new FatalError(`the token's roles may not do this: ${last}`);
      const retried =
        answer && RETRIED.has(answer.status) && (answer.status !== 409 || options.retryConflict);
      if (answer && !retried) return answer;
      if (attempt < ATTEMPTS) await sleep(retryAfter !== undefined ? retryAfter * 1000 : 250 * 2 ** attempt);
    }
    throw new FatalError(`${path} failed ${ATTEMPTS} times (last: ${last}): rerun to continue`);
  };
}

export type Send = ReturnType<typeof apiClient>;
