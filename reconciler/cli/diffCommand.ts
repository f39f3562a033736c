export async function diffCommand(_env: unknown, _b: string, _h: string, _j: boolean): Promise<number> { return 1; }
