/** The playbook expression language: a small, side-effect-free language evaluated by a tree walk. */
export type Expr =
  | { kind: 'literal'; value: Value; at: number }
  | { kind: 'list'; items: Expr[]; at: number }
  | { kind: 'object'; entries: Array<[string, Expr]>; at: number }
  | { kind: 'name'; name: string; at: number }
  /** `@` inside a filter: the element being tested. */
  | { kind: 'current'; at: number }
  | { kind: 'member'; object: Expr; name: string; at: number }
  | { kind: 'index'; object: Expr; index: Expr; at: number }
  /** `xs[*]`: every element (a projection: what follows applies to each). */
  | { kind: 'wildcard'; object: Expr; at: number }
  /** `xs[?(cond)]`: the elements for which cond holds. */
  | { kind: 'filter'; object: Expr; cond: Expr; at: number }
  | { kind: 'call'; name: string; args: Expr[]; at: number }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr; at: number }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; at: number }
  | { kind: 'conditional'; test: Expr; then: Expr; else: Expr; at: number };

export type BinaryOp =
  '||' | '&&' | '??' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%';

/** Values are JSON values: what playbooks read (alerts, step outputs) and write. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

export class ExprError extends Error {
  constructor(
    message: string,
    /** 1-based column in the expression text. */
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
  }
}
