/**
 * A small arithmetic evaluator for chat ("what is 12 * (3 + 4)?"): numbers, + - * / % ^,
 * unary minus and parentheses, by recursive descent. No `eval`, so user text never runs.
 */

const WORD_OPERATORS: readonly [RegExp, string][] = [
  [/\bmultiplied by\b|\btimes\b|×/gi, '*'],
  [/\bdivided by\b|\bover\b|÷/gi, '/'],
  [/\bplus\b|\badded to\b/gi, '+'],
  [/\bminus\b/gi, '-'],
  [/\bto the power of\b/gi, '^'],
  [/\bmod(?:ulo)?\b/gi, '%'],
];

/** The first arithmetic expression in the text (at least one operator), or undefined. */
export function findExpression(text: string): string | undefined {
  let t = text;
  for (const [re, op] of WORD_OPERATORS) t = t.replace(re, op);
  t = t.replace(/(\d)\s*x\s*(?=[\d(])/gi, '$1*');
  const runs = t.match(/[\d.()+\-*/%^\s]+/g) ?? [];
  for (const run of runs) {
    const candidate = run.trim();
    if (/\d\s*[+\-*/%^]\s*[\d(-]|\)\s*[+\-*/%^]/.test(candidate)) return candidate;
  }
  return undefined;
}

class Parser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): number {
    const v = this.sum();
    this.skip();
    if (this.pos < this.src.length) throw new Error(`unexpected "${this.src[this.pos]}"`);
    return v;
  }

  private skip(): void {
    while (this.src[this.pos] === ' ') this.pos++;
  }

  private eat(ch: string): boolean {
    this.skip();
    if (this.src[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  private sum(): number {
    let v = this.product();
    for (;;) {
      if (this.eat('+')) v += this.product();
      else if (this.eat('-')) v -= this.product();
      else return v;
    }
  }

  private product(): number {
    let v = this.power();
    for (;;) {
      if (this.eat('*')) v *= this.power();
      else if (this.eat('/')) v /= this.power();
      else if (this.eat('%')) v %= this.power();
      else return v;
    }
  }

  private power(): number {
    const base = this.unary();
    // Right-associative: 2^3^2 = 2^9.
    return this.eat('^') ? base ** this.power() : base;
  }

  private unary(): number {
    if (this.eat('-')) return -this.unary();
    if (this.eat('+')) return this.unary();
    if (this.eat('(')) {
      const v = this.sum();
      if (!this.eat(')')) throw new Error('missing ")"');
      return v;
    }
    this.skip();
    const m = /^\d+(?:\.\d+)?|^\.\d+/.exec(this.src.slice(this.pos));
    if (!m) throw new Error('expected a number');
    this.pos += m[0].length;
    return Number(m[0]);
  }
}

/** Evaluates an expression; undefined when it does not parse or has no finite value. */
export function evaluate(expression: string): number | undefined {
  try {
    const v = new Parser(expression.replace(/\s+/g, ' ')).parse();
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Up to 10 significant digits, without float noise (0.1 + 0.2 → "0.3"). */
export function formatNumber(v: number): string {
  return String(Number(v.toPrecision(10)));
}
