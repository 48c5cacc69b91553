/** A piece of SQL with its bound parameters, in textual order (`?` placeholders). */
export interface Frag {
  sql: string;
  params: unknown[];
}

/** Joins strings and fragments; parameters stay in the order their placeholders appear. */
export function sql(strings: TemplateStringsArray, ...values: Array<Frag | string>): Frag {
  let text = strings[0]!;
  const params: unknown[] = [];
  values.forEach((v, i) => {
    if (typeof v === 'string') text += v;
    else {
      text += v.sql;
      params.push(...v.params);
    }
    text += strings[i + 1]!;
  });
  return { sql: text, params };
}

/** One bound value. The only way user text reaches a statement. */
export const param = (v: unknown): Frag => ({ sql: '?', params: [v] });

export function joinFrags(frags: Frag[], sep: string): Frag {
  return { sql: frags.map((f) => f.sql).join(sep), params: frags.flatMap((f) => f.params) };
}

/** SQLite refuses compound SELECTs of more than 500 terms: nest in chunks below that. */
const UNION_CHUNK = 400;

/** `a UNION ALL b ...` over many statements, nested so that no compound exceeds SQLite's limit. */
export function unionAllFrags(frags: Frag[], columns: string): Frag {
  if (frags.length <= UNION_CHUNK) return joinFrags(frags, ' UNION ALL ');
  const chunks: Frag[] = [];
  for (let i = 0; i < frags.length; i += UNION_CHUNK)
    chunks.push(sql`SELECT ${columns} FROM (${joinFrags(frags.slice(i, i + UNION_CHUNK), ' UNION ALL ')}) u`);
  return joinFrags(chunks, ' UNION ALL ');
}
