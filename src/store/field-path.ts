/** Field names allowed in queries: ECS-style dotted names. Anything else is refused, never quoted. */
export const FIELD_NAME = /^[A-Za-z_@][A-Za-z0-9_@-]*(\.[A-Za-z0-9_@-]+)*$/;

export function isFieldName(name: string): boolean {
  return name.length <= 200 && FIELD_NAME.test(name);
}

/** A SQLite/PostgreSQL JSON path for a dotted field name (`$."host"."name"`). */
export function jsonPath(field: string): string {
  if (!isFieldName(field)) throw new Error(`invalid field name: ${field}`);
  return (
    '$' +
    field
      .split('.')
      .map((p) => `."${p}"`)
      .join('')
  );
}
