import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRoutes, matchRoute } from '../../infra/local/gateway';
import { jsonShapeProblem } from '../../shared/http/input';
import { routes } from '../../shared/routes';
import {
  Attributes,
  AttributeValue,
  Identifier,
  isStorableNumber,
  Label,
  MAX_ATTRIBUTES_BYTES,
  MAX_IDENTIFIER_LENGTH,
} from '../../shared/schemas/common';

const accepts = (value: string) => Identifier.safeParse(value).success;

describe('the identifier alphabet', () => {
  it.each([
    ['a plain part number', 'CFM56-5B4'],
    ['inner spaces', 'HVAC CTL 9'],
    ['letters of any script', 'Двигатель-7'],
    ['CJK', '発動機-1'],
    ['an emoji', 'PUMP-🛠'],
    ['dots inside', '...x'],
    ['a single character', 'x'],
    [`${MAX_IDENTIFIER_LENGTH} characters`, 'x'.repeat(MAX_IDENTIFIER_LENGTH)],
  ])('accepts %s', (_label, value) => {
    expect(accepts(value)).toBe(true);
  });

  it.each([
    ['a slash', 'A/1'],
    ['an encoded slash', 'A%2F1'],
    ['a backslash', 'A\\1'],
    ['"?"', 'A?1'],
    ['"#"', 'A#1'],
    ['".."', '..'],
    ['"."', '.'],
    ['NUL', 'A\u00001'],
    ['a tab', 'A\t1'],
    ['a newline', 'A\n1'],
    ['a C1 control', 'A\u00851'],
    ['an RTL override', 'A\u202E1'],
    ['a bidi isolate', 'A\u20661'],
    ['a zero-width space', 'A\u200B1'],
    ['a byte order mark', '\uFEFFA1'],
    ['a lone high surrogate', 'A\uD8001'],
    ['a lone low surrogate', 'A\uDC001'],
    ['a private-use character', 'A\uE0001'],
    ['a line separator', 'A\u20281'],
    ['a leading space', ' A1'],
    ['a trailing space', 'A1 '],
    ['the empty string', ''],
    [`${MAX_IDENTIFIER_LENGTH + 1} characters`, 'x'.repeat(MAX_IDENTIFIER_LENGTH + 1)],
  ])('refuses %s', (_label, value) => {
    expect(accepts(value)).toBe(false);
  });

  it('normalizes to NFC: a decomposed "é" is the precomposed one', () => {
    expect(Identifier.parse('SN-e\u0301')).toBe('SN-\u00E9');
    expect(Label(64).parse('Cafe\u0301')).toBe('Caf\u00E9');
  });

  it('does not fold look-alikes: Latin and Cyrillic "A" stay distinct', () => {
    expect(Identifier.parse('A-1')).not.toBe(Identifier.parse('\u0410-1'));
  });

  it('lets labels (sites, work orders) hold "/" but nothing unprintable', () => {
    expect(Label(128).safeParse('WO/2026/0815').success).toBe(true);
    expect(Label(128).safeParse('TLS\u202E').success).toBe(false);
  });
});

const componentRoutes = compileRoutes(routes.filter((route) => route.path.startsWith('/v1/components/')));

describe('every accepted identifier round-trips through a URL path', () => {
  // any code point, lone surrogates included, plus the characters that matter most here
  const tricky = fc.constantFrom(
    '/',
    '%',
    '%2F',
    '.',
    '..',
    '?',
    '#',
    '\\',
    ' ',
    '\u202E',
    '\u0000',
    'e\u0301',
  );
  const candidate = fc
    .array(
      fc.oneof(
        { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), weight: 6 },
        { arbitrary: fc.string({ unit: 'binary', maxLength: 4 }), weight: 1 },
        { arbitrary: tricky, weight: 1 },
      ),
      { minLength: 1, maxLength: 5 },
    )
    .map((parts) => parts.join(''));

  it('is routed back to the same part and serial number, and judged the same', () => {
    fc.assert(
      fc.property(candidate, candidate, (rawPart, rawSerial) => {
        const part = Identifier.safeParse(rawPart);
        const serial = Identifier.safeParse(rawSerial);
        fc.pre(part.success && serial.success);
        const [partNumber, serialNumber] = [part.data!, serial.data!];
        const url = new URL(
          `/v1/components/${encodeURIComponent(partNumber)}/${encodeURIComponent(serialNumber)}`,
          'https://api.example',
        );
        // the local gateway: one decode per segment
        const match = matchRoute(componentRoutes, 'GET', url.pathname);
        expect(match?.params).toEqual({ partNumber, serialNumber });
        // API Gateway HTTP API decodes the whole path before routing: still the same two segments
        expect(decodeURIComponent(url.pathname).split('/').slice(3)).toEqual([partNumber, serialNumber]);
        // and the path parameter is judged exactly as the body field was
        expect(Identifier.parse(match!.params.partNumber)).toBe(partNumber);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a fair share of the candidates (the property is not vacuous)', () => {
    const samples = fc.sample(candidate, 1000);
    expect(samples.filter(accepts).length).toBeGreaterThan(100);
  });
});

describe('attribute values', () => {
  it.each([
    ['1e300', 1e300],
    ['2^53', 9007199254740992],
    ['-2^53', -9007199254740992],
    ['1e-200', 1e-200],
  ])('refuses the number %s, which DynamoDB cannot store exactly', (_label, value) => {
    expect(AttributeValue.safeParse(value).success).toBe(false);
    expect(isStorableNumber(value)).toBe(false);
  });

  it('accepts every number it stores exactly', () => {
    for (const value of [
      0, -0, 1, -1, 0.1, 0.30000000000000004, 1e-7, 1e-130, 9007199254740991, -9007199254740991,
    ])
      expect(AttributeValue.safeParse(value).success).toBe(true);
  });

  it('refuses nested objects, and arrays of them', () => {
    expect(AttributeValue.safeParse({ a: 1 }).success).toBe(false);
    expect(AttributeValue.safeParse([{ a: 1 }]).success).toBe(false);
    expect(AttributeValue.safeParse([[1]]).success).toBe(false);
  });

  it.each(['constructor', 'prototype'])('refuses the attribute name %s', (name) => {
    const result = Attributes.safeParse({ [name]: 'x' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/must not be/);
  });

  it('refuses a key __proto__ anywhere in a body, naming where (a schema would silently drop it)', () => {
    expect(jsonShapeProblem(JSON.parse('{"attributes":{"a":1,"__proto__":"x"}}'), 'body')).toEqual({
      path: 'body.attributes.__proto__',
      message: 'is not an accepted field name',
    });
    expect(jsonShapeProblem(JSON.parse('{"c":[{"x":1},{"__proto__":{}}]}'), 'body')?.path).toBe(
      'body.c[1].__proto__',
    );
    expect(jsonShapeProblem({ attributes: { constructor: 1 } }, 'body')).toBeNull();
  });

  it('refuses a map over the byte bound, though each value is within its own', () => {
    const attributes = Object.fromEntries(
      Array.from({ length: 10 }, (_, index) => [`k${index}`, 'x'.repeat(4000)]),
    );
    expect(JSON.stringify(attributes).length).toBeGreaterThan(MAX_ATTRIBUTES_BYTES);
    expect(Attributes.safeParse(attributes).error!.issues[0]!.message).toMatch(/bytes/);
  });
});
