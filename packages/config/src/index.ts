import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Type, { type Static, type TObject } from 'typebox';

export { Type };
export type { Static, TObject };

// ajv-formats ships CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
addFormats(ajv);

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Alternative variable names: alias -> canonical name (the canonical name wins when both are set). */
  aliases?: Record<string, string>;
  /** Extra checks that span several keys; return a list of problems. */
  refine?: (config: Record<string, unknown>) => string[];
}

function describe(error: ErrorObject): string {
  const key = error.instancePath.replace(/^\//, '') || String(error.params['missingProperty'] ?? '');
  if (error.keyword === 'required') return `${key}: is required`;
  if (error.keyword === 'enum') {
    return `${key}: must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
  }
  return `${key}: ${error.message ?? 'is invalid'}`;
}

/**
 * Reads the keys named in `schema` from `env`, coerces and validates them, and reports every
 * problem in one error so an operator fixes a deployment in one go.
 */
export function loadConfig<T extends TObject>(service: string, schema: T, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): Static<T> {
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') data[key] = value;
  }
  for (const [alias, canonical] of Object.entries(options.aliases ?? {})) {
    const value = env[alias];
    if (data[canonical] === undefined && value !== undefined && value !== '') data[canonical] = value;
  }
  const validate = ajv.compile(schema);
  const problems = validate(data) ? [] : (validate.errors ?? []).map(describe);
  if (problems.length === 0 && options.refine) problems.push(...options.refine(data));
  if (problems.length > 0) throw new ConfigError(service, [...new Set(problems)]);
  return data as Static<T>;
}

/** Port numbers as every service accepts them. */
export const Port = (defaultPort: number, description = 'TCP port to listen on') =>
  Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort, description });

export const LogLevel = Type.String({
  enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  default: 'info',
  description: 'pino log level',
});

/** Booleans are written `true`/`false`; ajv coerces the strings. */
export const Flag = (defaultValue: boolean, description: string) => Type.Boolean({ default: defaultValue, description });
