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
    options: {
      headers?: Record<string, string>;
      retryConflict?: boolean;
      /** @default POST (GET sends no body) */
      method?: 'GET' | 'POST' | 'PUT';
      /** One attempt only: for a request that is not idempotent (a PUT of a type's next version). */
      once?: boolean;
    } = {},
  ): Promise<Answer> {
    let last = '';
    const method = options.method ?? 'POST';
    const attempts = options.once ? 1 : ATTEMPTS;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let answer: Answer | undefined;
      let retryAfter: number | undefined;
      try {
        const response = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
            ...options.headers,
          },
          ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
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
      if (answer && options.once) return answer;
      if (attempt < attempts) await sleep(retryAfter !== undefined ? retryAfter * 1000 : 250 * 2 ** attempt);
    }
    throw new FatalError(`${method} ${path} failed ${attempts} times (last: ${last}): rerun to continue`);
  };
}

export type Send = ReturnType<typeof apiClient>;
