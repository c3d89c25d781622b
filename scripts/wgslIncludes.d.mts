// Types of scripts/wgslIncludes.mjs (plain JavaScript so that Node's module hooks can load it without tsx).
export function expandWgsl(
  file: string,
  read: (path: string) => string | undefined,
): { code: string; files: string[] };
