// Collects SpecErrors for one document: where (file + field), what is wrong, what would be right.
import type { SpecError } from './specError.ts';

export class ErrorSink {
  readonly file: string;
  readonly errors: SpecError[] = [];
  constructor(file: string) {
    this.file = file;
  }
  add(field: string, message: string, hint: string): void {
    this.errors.push({ file: this.file, field, message, hint });
  }
  get count(): number {
    return this.errors.length;
  }
}
