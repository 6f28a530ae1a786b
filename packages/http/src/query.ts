import type { ValidateFunction } from 'ajv';

// Ajv's coercion reads numbers the way JavaScript does (`0x10` is 16, `1e3` is 1000, ` 7` is 7);
// a query parameter is a number only when written as plain decimal digits.
const INTEGER = /^-?[0-9]+$/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

type Schema = { properties?: Record<string, { type?: unknown }> };

/** Wraps a query-string validator so numeric parameters must be plain decimals before coercion. */
export function strictQueryNumbers(schema: Schema, validate: ValidateFunction): ValidateFunction {
  const numeric: [name: string, pattern: RegExp, type: string][] = [];
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    if (s.type === 'integer') numeric.push([name, INTEGER, 'integer']);
    else if (s.type === 'number') numeric.push([name, NUMBER, 'number']);
  }
  if (numeric.length === 0) return validate;
  const strict = ((data: Record<string, unknown> | undefined) => {
    for (const [name, pattern, type] of numeric) {
      const value = data?.[name];
      if (typeof value === 'string' && !pattern.test(value)) {
        strict.errors = [{ instancePath: `/${name}`, schemaPath: '', keyword: 'type', params: { type }, message: `must be ${type}` }];
        return false;
      }
    }
    const ok = validate(data);
    strict.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  return strict;
}
