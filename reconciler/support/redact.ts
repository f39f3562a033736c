// Keeps tokens out of messages: isomorphic-git errors may carry URLs with userinfo.

/** `https://user:token@host/path` → `https://host/path`; anything unparsable is returned without userinfo. */
export function redactUrl(url: string): string {
  return url.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1');
}

/** Removes userinfo from every URL in the text and replaces each secret (and its base64 forms) with `***`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    out = out.split(s).join('***');
    const b64 = Buffer.from(s).toString('base64').replace(/=+$/, '');
    if (b64.length >= 4) out = out.split(b64).join('***');
  }
  return out;
}
