/** A command-line argument names something that is not there (e.g. `validate <dir>`). One line, exit 2. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
