/** The published declaration, as the public `GET /v1/policy` gives it: its categories and purposes name things on every screen. */
import { useQuery } from '@tanstack/react-query';
import { answer, api } from './client';

export interface Named {
  id: string;
  name: string;
}

function namedList(value: unknown): Named[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { id, name } = item as { id?: unknown; name?: unknown };
    return typeof id === 'string' ? [{ id, name: typeof name === 'string' ? name : id }] : [];
  });
}

export function usePolicy(version?: number) {
  return useQuery({
    queryKey: ['policy', version ?? 'latest'],
    queryFn: async () => {
      const policy = await answer(api.GET('/v1/policy', { params: { query: version === undefined ? {} : { version } } }));
      return { ...policy, categories: namedList(policy.declaration.categories), purposes: namedList(policy.declaration.purposes) };
    },
    staleTime: 60_000,
  });
}
