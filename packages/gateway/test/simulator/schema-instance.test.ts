/**
 * The simulator's JSON Schema instance generator: deterministic, and every instance satisfies its
 * schema for the structured-outputs subset ($ref/$defs, recursion, anyOf, enums, consts, bounds).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mulberry32 } from '../../src/upstream/simulator/random.js';
import { schemaInstance } from '../../src/upstream/simulator/schema-instance.js';

interface Node {
  label: string;
  children: Node[];
}
const Tree: z.ZodType<Node> = z.object({ label: z.string(), children: z.array(z.lazy(() => Tree)) });

const Place = z.object({ city: z.string() }).meta({ id: 'Place' });

const schemas: Record<string, z.ZodType> = {
  flat: z.object({ a: z.string(), b: z.number(), c: z.int(), d: z.boolean(), e: z.null() }),
  enums: z.object({ color: z.enum(['red', 'green']), fixed: z.literal('x'), n: z.literal(3) }),
  bounded: z.object({ small: z.int().min(5).max(7), ratio: z.number().gt(0).lt(1), few: z.array(z.string()).min(2).max(3) }),
  unions: z.object({ u: z.union([z.string(), z.object({ k: z.int() })]), maybe: z.string().nullable(), dt: z.iso.datetime(), mail: z.email() }),
  recursive: z.object({ root: Tree }),
  shared: z.object({ home: Place, work: Place.nullable() }),
};

describe('schemaInstance', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`${name}: instances satisfy the schema over many seeds`, () => {
      const json = z.toJSONSchema(schema, { target: 'draft-2020-12' });
      for (let seed = 0; seed < 50; seed++) {
        const v = schemaInstance(json, mulberry32(seed));
        expect(schema.safeParse(v).success, JSON.stringify({ seed, v })).toBe(true);
      }
    });
  }

  it('follows $ref into $defs and to the root', () => {
    const schema = {
      type: 'object',
      properties: { item: { $ref: '#/$defs/Item' }, next: { anyOf: [{ $ref: '#' }, { type: 'null' }] } },
      required: ['item', 'next'],
      additionalProperties: false,
      $defs: { Item: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'], additionalProperties: false } },
    };
    const v = schemaInstance(schema, mulberry32(1)) as { item: { id: number }; next: unknown };
    expect(Number.isInteger(v.item.id)).toBe(true);
    let depth = 0;
    for (let at: unknown = v; at !== null; at = (at as { next: unknown }).next) depth++;
    expect(depth).toBeLessThan(10);
  });

  it('is deterministic in the seed', () => {
    const json = z.toJSONSchema(schemas.unions!);
    expect(schemaInstance(json, mulberry32(9))).toEqual(schemaInstance(json, mulberry32(9)));
  });
});
