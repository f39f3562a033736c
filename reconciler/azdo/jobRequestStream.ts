// An incremental reader for a list body `{"count":n,"value":[...]}` that hands each element of
// `value` to the caller as soon as it is complete, without ever holding one member of it (the
// job listing's `matchedAgents`: ~350 bytes per eligible agent, hundreds of MiB for a large pool).
// The skipped member is passed over fast (strings jumped with indexOf) but still checked for
// structure (skipValue says what), so a body cut short or garbled anywhere, inside the skipped
// member included, is an error and never a shorter list. Memory: one element (without
// the skipped member) plus one chunk, whatever the body's size. Pure: no I/O.
import { StringDecoder } from 'node:string_decoder';

/** The body is not the expected list JSON; `message` says where and why (one line). */
export class ListBodyError extends Error {
  override readonly name: string = 'ListBodyError';
}

export interface ListBodyScanner {
  /** Feeds the next bytes (split anywhere, inside a UTF-8 character too) or text. */
  write(chunk: Uint8Array | string): void;
  /** The body has ended: checks it was one complete list whose `count` equals the items read. */
  end(): { readonly count: number; readonly items: number };
}

// The scanner's states (plain numbers: Node's type stripping has no enums).
const S = {
  Value: 0, // a value is expected (after ':' or ',' in a list, or at the start)
  ArrayFirst: 1, // after '[': a value or ']'
  ObjectFirst: 2, // after '{': a key or '}'
  Key: 3, // after ',' in an object: a key
  Colon: 4,
  After: 5, // a value ended: ',' or a closing bracket (or the end, at the top)
  Str: 6,
  StrEscape: 7,
  StrHex: 8,
  Num: 9,
  Literal: 10,
  Done: 11,
  Skip: 12, // inside the skipped member's list or object (skipValue)
} as const;
type State = (typeof S)[keyof typeof S];

const WS = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const HEX = /^[0-9a-fA-F]$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
/**
 * The characters that may stand outside strings in JSON besides brackets and quotes: whitespace,
 * ',', ':', and those of numbers and of true/false/null. The skip checks each such character
 * against this table (so HTML or other garbage inside the skipped member is still an error).
 */
const TOKEN_CHAR = new Uint8Array(128);
for (const ch of ' \t\n\r,:0123456789-+.eEtrufalsn') TOKEN_CHAR[ch.charCodeAt(0)] = 1;
const ESCAPE_CHAR = new Uint8Array(128);
for (const ch of '"\\/bfnrt') ESCAPE_CHAR[ch.charCodeAt(0)] = 1;

/** Keys longer than this are never one we look for; their text is not kept. */
const MAX_KEY = 256;

/** Depths: 1 = the body object, 2 = inside its `value` list, 3 = inside one element. */
const ELEMENT = 2;
const MEMBER = 3;

/**
 * Reads a list body incrementally. `onItem` gets each element of `value`, parsed, without its
 * `skip` member (at the element's own level; the same name deeper is kept); an exception from
 * `onItem` stops the scan and propagates.
 */
export function scanListBody(onItem: (item: unknown, index: number) => void, skip = 'matchedAgents'): ListBodyScanner {
  const decoder = new StringDecoder('utf8');
  const stack: number[] = []; // 0x7b '{' or 0x5b '['
  let state: State = S.Value;
  let offset = 0; // characters consumed before the current chunk, for messages
  let literal = '';
  let literalAt = 0;
  let strIsKey = false;
  let keyFrom = 0; // where the tracked key's text begins in the current chunk
  let num = '';
  let hexLeft = 0;

  // Keys at depth 1 and 3 are read (to find `count`, `value` and the skipped member).
  let keyText: string | undefined;
  let keyDepth = 0;
  let lastKey: string | undefined;
  let countText: string | undefined;
  let sawValue = false;
  let inValue = false; // the body's `value` list is open
  let items = 0;

  // The element being read: its text so far, without the skipped member.
  let chunk = '';
  let element = '';
  let capturing = false;
  let captureFrom = 0;
  let memberStart = 0; // element.length where the current member (its leading comma included) began
  let skipping = false;
  let dropNextComma = false;
  let memberCount = 0;

  // The skip (skipValue): the open brackets of the skipped value, whether it is inside a string,
  // and a pending escape there (-1: after '\\', 1..4: hex digits of a \\u left). That is all the
  // state a chunk boundary needs.
  const skipStack: number[] = [];
  let skipInStr = false;
  let skipEsc = 0;
  // The next '\\' at or after bsFrom in chunk number bsChunk (text.length if none), so each chunk
  // is searched for it once.
  let chunks = 0;
  let bsChunk = -1;
  let bsFrom = 0;
  let bsAt = 0;

  const fail = (i: number, why: string): never => {
    throw new ListBodyError(`${why} at character ${offset + i}`);
  };
  const flush = (i: number): void => {
    if (capturing && i > captureFrom) element += chunk.slice(captureFrom, i);
    captureFrom = i;
  };

  /** A value that began at depth `stack.length` has ended; `i` is the index just after it. */
  const valueEnded = (i: number): void => {
    const depth = stack.length;
    if (depth === MEMBER && skipping) {
      skipping = false;
      capturing = true;
      captureFrom = i;
    } else if (depth === ELEMENT && inValue) {
      flush(i);
      capturing = false;
      const text = element;
      element = '';
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        fail(i, `item ${items} of "value" is not JSON`);
      }
      onItem(parsed, items++);
    }
    state = depth === 0 ? S.Done : S.After;
  };

  /** A value (first character at `i`) begins at depth `stack.length`. */
  const valueBegins = (i: number, c: number): void => {
    const depth = stack.length;
    if (depth === ELEMENT && inValue) {
      element = '';
      capturing = true;
      captureFrom = i;
      memberCount = 0;
      dropNextComma = false;
    }
    if (depth === 1 && lastKey === 'value') {
      if (sawValue) fail(i, '"value" appears twice');
      sawValue = true;
      if (c !== 0x5b) fail(i, '"value" is not a list');
    }
    if (depth === 0 && c !== 0x7b) fail(i, `the body is not a JSON object (it starts with ${JSON.stringify(String.fromCharCode(c))})`);
  };

  const open = (i: number, c: number): void => {
    if (skipping && stack.length === MEMBER) {
      // The skipped member's value is a list or an object: skipValue passes over it.
      skipStack.length = 0;
      skipStack.push(c);
      skipInStr = false;
      skipEsc = 0;
      state = S.Skip;
      return;
    }
    valueBegins(i, c);
    stack.push(c);
    if (stack.length === ELEMENT && c === 0x5b && lastKey === 'value') inValue = true;
    state = c === 0x7b ? S.ObjectFirst : S.ArrayFirst;
  };

  const close = (i: number, c: number): void => {
    const top = stack.pop();
    if ((c === 0x7d && top !== 0x7b) || (c === 0x5d && top !== 0x5b)) fail(i, `unexpected ${String.fromCharCode(c)}`);
    if (stack.length === 1 && top === 0x5b && inValue) inValue = false;
    valueEnded(i + 1);
  };

  /** A key read at depth 1 or at an element's own level ended at `i` (its closing quote). */
  const keyDone = (i: number): void => {
    const raw = keyText;
    keyText = undefined;
    let key: string | undefined;
    if (raw !== undefined) {
      try {
        key = JSON.parse(`"${raw}"`) as string;
      } catch {
        fail(i, 'a key is not a JSON string');
      }
    }
    if (keyDepth === 1) lastKey = key;
    if (keyDepth === MEMBER && inValue && key === skip) {
      flush(i + 1);
      element = element.slice(0, memberStart);
      if (memberCount === 0) dropNextComma = true;
      capturing = false;
      skipping = true;
    } else if (keyDepth === MEMBER && inValue) {
      memberCount++;
    }
  };

  const scan = (text: string): void => {
    chunk = text;
    chunks++;
    captureFrom = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (state) {
        case S.Str: {
          // Most of a body is string text: step over plain characters without the switch.
          if (c !== 0x22 && c !== 0x5c && c >= 0x20) {
            let k = i + 1;
            for (let d = text.charCodeAt(k); k < text.length && d !== 0x22 && d !== 0x5c && d >= 0x20; d = text.charCodeAt(++k));
            i = k - 1;
            break;
          }
          if (c === 0x22) {
            if (!strIsKey) {
              valueEnded(i + 1);
            } else {
              if (keyDepth > 0) {
                if (keyText !== undefined && keyText.length + i - keyFrom <= MAX_KEY) keyText += text.slice(keyFrom, i);
                else keyText = undefined;
                keyDone(i);
              }
              state = S.Colon;
            }
          } else if (c === 0x5c) {
            state = S.StrEscape;
          } else if (c < 0x20) {
            fail(i, 'a control character inside a string');
          }
          break;
        }
        case S.StrEscape: {
          if (c === 0x75) {
            state = S.StrHex;
            hexLeft = 4;
          } else if ('"\\/bfnrt'.includes(String.fromCharCode(c))) {
            state = S.Str;
          } else {
            fail(i, 'an invalid escape in a string');
          }
          break;
        }
        case S.StrHex: {
          if (!HEX.test(String.fromCharCode(c))) fail(i, 'an invalid \\u escape in a string');
          if (--hexLeft === 0) state = S.Str;
          break;
        }
        case S.Num: {
          if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d) {
            num += text[i];
            break;
          }
          endNumber(i);
          i--; // the delimiter is read in the new state
          break;
        }
        case S.Literal: {
          if (c !== literal.charCodeAt(literalAt)) fail(i, 'an invalid literal');
          if (++literalAt === literal.length) valueEnded(i + 1);
          break;
        }
        case S.Skip: {
          i = skipValue(text, i) - 1;
          break;
        }
        case S.Done: {
          if (!WS(c)) fail(i, 'text after the end of the body');
          break;
        }
        default:
          structural(i, c);
      }
    }
    // A key's text may continue in the next chunk.
    if (strIsKey && (state === S.Str || state === S.StrEscape || state === S.StrHex)) {
      if (keyText !== undefined) {
        if (keyText.length + text.length - keyFrom <= MAX_KEY) keyText += text.slice(keyFrom);
        else keyText = undefined;
      }
      keyFrom = 0;
    }
    flush(text.length);
    offset += text.length;
  };

  /**
   * Passes over the skipped member's value (its first bracket already read) from `from`; returns
   * the index after what it consumed: after the value's closing bracket, or the chunk's end.
   * Strings are jumped over with indexOf (their text is never looked at, only where they end:
   * the next '"' not escaped); outside strings each character is checked. What is validated:
   * brackets balance and match, strings terminate, escapes are valid, and outside strings only
   * JSON's characters appear. Not validated: the order of tokens (`[1 2]`, `tru`) and raw
   * control characters inside strings. That is enough because the value is dropped, never read:
   * what matters is where it ends, and that ends exactly where a JSON parser would end it for
   * any valid JSON; a body cut short or garbled into something else (HTML, an unbalanced or
   * unterminated value) still fails.
   */
  const skipValue = (text: string, from: number): number => {
    const n = text.length;
    let i = from;
    if (bsChunk !== chunks || bsAt < i || bsFrom > i) {
      bsChunk = chunks;
      bsFrom = i;
      bsAt = text.indexOf('\\', i);
      if (bsAt === -1) bsAt = n;
    }
    while (i < n) {
      if (skipInStr) {
        if (skipEsc !== 0) {
          const c = text.charCodeAt(i);
          if (skipEsc === -1) {
            if (c === 0x75) skipEsc = 4;
            else if (c < 128 && ESCAPE_CHAR[c] === 1) skipEsc = 0;
            else fail(i, 'an invalid escape in a string');
          } else {
            if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))) fail(i, 'an invalid \\u escape in a string');
            skipEsc--;
          }
          i++;
          continue;
        }
        if (bsAt < i) {
          bsFrom = i;
          bsAt = text.indexOf('\\', i);
          if (bsAt === -1) bsAt = n;
        }
        const q = text.indexOf('"', i);
        if (q === -1 || bsAt < q) {
          if (bsAt === n) return n; // the string goes on in the next chunk
          i = bsAt + 1;
          skipEsc = -1;
          continue;
        }
        skipInStr = false;
        i = q + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        skipInStr = true;
      } else if (c === 0x7b || c === 0x5b) {
        skipStack.push(c);
      } else if (c === 0x7d || c === 0x5d) {
        const top = skipStack.pop();
        if ((c === 0x7d && top !== 0x7b) || (c === 0x5d && top !== 0x5b)) fail(i, `unexpected ${String.fromCharCode(c)}`);
        if (skipStack.length === 0) {
          valueEnded(i + 1);
          return i + 1;
        }
      } else if (c >= 128 || TOKEN_CHAR[c] !== 1) {
        fail(i, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
      }
      i++;
    }
    return n;
  };

  const endNumber = (i: number): void => {
    if (!NUMBER.test(num)) fail(i, `an invalid number ${JSON.stringify(num.slice(0, 40))}`);
    if (stack.length === 1 && lastKey === 'count') countText = num;
    num = '';
    valueEnded(i);
  };

  const beginString = (i: number, isKey: boolean): void => {
    state = S.Str;
    strIsKey = isKey;
    keyFrom = i + 1;
    const depth = stack.length;
    // Only keys at the body's level and at an element's own level are read; a key longer than
    // MAX_KEY is kept as undefined (it is none of the names looked for).
    keyDepth = isKey && (depth === 1 || (depth === MEMBER && inValue)) ? depth : 0;
    keyText = keyDepth > 0 ? '' : undefined;
  };

  const structural = (i: number, c: number): void => {
    if (WS(c)) return;
    if (stack.length === 0 && state === S.Value) valueBegins(i, c); // the body must be an object
    switch (state) {
      case S.ObjectFirst:
        if (c === 0x7d) close(i, c);
        else {
          if (stack.length === MEMBER && inValue) {
            flush(i);
            memberStart = element.length;
          }
          key(i, c);
        }
        return;
      case S.Key:
        key(i, c);
        return;
      case S.Colon:
        if (c !== 0x3a) fail(i, '":" was expected');
        state = S.Value;
        return;
      case S.After:
        if (c === 0x2c) comma(i);
        else if (c === 0x7d || c === 0x5d) close(i, c);
        else fail(i, '"," or a closing bracket was expected');
        return;
      case S.ArrayFirst:
        if (c === 0x5d) close(i, c);
        else value(i, c);
        return;
      case S.Value:
        value(i, c);
        return;
    }
  };

  /** A ',' after a value; between an element's members it may be the one a skipped first member leaves. */
  const comma = (i: number): void => {
    if (stack.length === MEMBER && inValue && !skipping) {
      flush(i);
      memberStart = element.length;
      if (dropNextComma) {
        captureFrom = i + 1;
        dropNextComma = false;
      }
    }
    state = stack[stack.length - 1] === 0x7b ? S.Key : S.Value;
  };


  const key = (i: number, c: number): void => {
    if (c !== 0x22) fail(i, 'a key was expected');
    beginString(i, true);
  };

  const value = (i: number, c: number): void => {
    if (c === 0x7b || c === 0x5b) {
      open(i, c);
      return;
    }
    if (c === 0x22) {
      valueBegins(i, c);
      beginString(i, false);
      return;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      valueBegins(i, c);
      state = S.Num;
      num = String.fromCharCode(c);
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (c === word.charCodeAt(0)) {
        valueBegins(i, c);
        state = S.Literal;
        literal = word;
        literalAt = 1;
        return;
      }
    }
    fail(i, `unexpected ${JSON.stringify(String.fromCharCode(c))}`);
  };

  return {
    write(input) {
      const text = typeof input === 'string' ? input : decoder.write(input);
      if (text.length > 0) scan(text);
    },
    end() {
      const rest = decoder.end();
      if (rest.length > 0) scan(rest);
      if (offset === 0) throw new ListBodyError('an empty body');
      if (state !== S.Done) throw new ListBodyError(`the body ends inside the JSON after ${items} items (cut short)`);
      if (!sawValue) throw new ListBodyError('an object without a "value" list');
      if (countText === undefined) throw new ListBodyError(`no "count" beside the ${items} items`);
      const n = Number(countText);
      if (!Number.isSafeInteger(n) || n < 0) throw new ListBodyError(`"count" is ${countText}`);
      if (n !== items) throw new ListBodyError(`"count" says ${n} but the list holds ${items} items`);
      return { count: n, items };
    },
  };
}
