/** The simulator's control API from the other side: JSON in, JSON out, a non-2xx answer thrown with its body. */
export function controlClient(url: string) {
  return {
    async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(url + path, {
        method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as T;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
  };
}
