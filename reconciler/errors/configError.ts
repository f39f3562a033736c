/** A setting is missing or malformed. The message names the variable and what a valid value is. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;
  constructor(variable: string, problem: string, fix: string, options?: ErrorOptions) {
    super(`${variable}: ${problem}. ${fix}`, options);
    this.variable = variable;
  }
}
