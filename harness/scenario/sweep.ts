/**
 * Sweeps: a layout or pattern entry with a `sweep` mapping stands for one entry per combination of
 * the values it lists (the first field varies slowest). Expanded on the parsed YAML, before the
 * schema, so every expanded entry is checked like one written by hand. Pure: no I/O.
 *
 * The rule for values: in `sweep`, every field maps to a list of the values to try. A field that
 * itself takes a list (chunks, shards, shape, step) is given a list of lists, `chunks: [[256, 256]]`
 * for one shape; a flat list of numbers for such a field is an error, never guessed at.
 */
import { z } from "zod";
import { describeValue, quote } from "./messages.ts";
import { layoutSchema, patternSchema } from "./schema.ts";
import type { SweepInfo, SweepMember, SweptList } from "./types.ts";

export type { SweepInfo, SweepMember, SweptList } from "./types.ts";

/** The lists that take sweeps, and the field that picks each entry's schema. */
export const SWEPT_LISTS: Readonly<Record<SweptList, string>> = { layouts: "backend", patterns: "kind" };

/** Most entries a list may expand to (the schema's own limit on layouts and patterns). */
export const MAX_SWEPT_ENTRIES = 64;

export interface SweepProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface Expanded {
  /** The parsed file with every sweep entry replaced by its expansion. */
  readonly data: Record<string, unknown>;
  /** Per list, the file index of each expanded entry. */
  readonly origin: Readonly<Record<SweptList, readonly number[]>>;
  readonly sweeps: readonly SweepInfo[];
  readonly problems: readonly SweepProblem[];
}

type Entry = Record<string, unknown>;

function isMapping(v: unknown): v is Entry {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The member schemas of a discriminated union, by discriminator value. */
function memberSchema(list: SweptList, entry: Entry): z.ZodObject | undefined {
  const union = (list === "layouts" ? layoutSchema : patternSchema) as unknown as { options: z.ZodObject[] };
  const key = SWEPT_LISTS[list];
  return union.options.find((o) => {
    const d = o.shape[key] as z.ZodType | undefined;
    return d !== undefined && d.safeParse(entry[key]).success;
  });
}

/** Whether `field` of an entry like `entry` takes a list (then each swept value must be a list). */
export function takesList(list: SweptList, entry: Entry, field: string): boolean {
  let schema = memberSchema(list, entry)?.shape[field] as z.ZodType | undefined;
  while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) schema = schema.unwrap() as z.ZodType;
  return schema instanceof z.ZodArray;
}

/** A value as a part of a name: `256x256`, `lz4`, `zstd_5`, `shuffle` / `noshuffle`. */
export function valueLabel(field: string, value: unknown): string {
  let text: string;
  if (Array.isArray(value)) text = value.map((v) => valueLabel(field, v)).join("x");
  else if (typeof value === "boolean") text = value ? field : `no${field}`;
  else if (value === null || value === undefined) text = "none";
  else if (isMapping(value))
    text = Object.values(value)
      .map((v) => valueLabel(field, v))
      .join("_");
  else text = String(value);
  return text.replace(/[^A-Za-z0-9._]/g, "_");
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** A key from the file as it reads in a message: as is when plain, else quoted with escapes. */
function plain(key: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : quote(key);
}

/** A swept value a placeholder names: `codec`, or a key inside a swept mapping, `codec.cname`. */
function placeheld(values: Readonly<Record<string, unknown>>, placeholder: string): unknown {
  const [field, ...keys] = placeholder.split(".");
  let value: unknown = values[field];
  for (const key of keys) value = isMapping(value) && Object.hasOwn(value, key) ? value[key] : undefined;
  return value;
}

/** The name of one combination: the template's placeholders filled, or base-value-value. */
function nameOf(template: string | undefined, base: string, labels: Readonly<Record<string, string>>, values: Readonly<Record<string, unknown>>): string {
  if (template !== undefined && template.includes("{"))
    return template.replace(PLACEHOLDER, (_, f: string) => {
      const value = placeheld(values, f);
      return value === undefined ? `{${f}}` : (labels[f] ?? valueLabel(f.split(".").at(-1)!, value));
    });
  return [template ?? base, ...Object.values(labels)].join("-");
}

function product(lists: readonly (readonly unknown[])[]): unknown[][] {
  let out: unknown[][] = [[]];
  for (const values of lists) out = out.flatMap((prefix) => values.map((v) => [...prefix, v]));
  return out;
}

/** The problems of one sweep entry at `list[i]`, or its combinations' fields. */
function sweepProblems(list: SweptList, i: number, entry: Entry): SweepProblem[] {
  const at = (...rest: (string | number)[]) => [list, i, ...rest];
  const sweep = entry.sweep;
  if (!isMapping(sweep) || Object.keys(sweep).length === 0) {
    return [
      {
        path: at("sweep"),
        message: `expected a mapping of fields to lists of values to try, e.g. {chunks: [[256, 256], [1024, 64]], codec: [lz4, zstd]}, got ${describeValue(sweep)}`,
      },
    ];
  }
  const problems: SweepProblem[] = [];
  for (const [field, values] of Object.entries(sweep)) {
    if (field === "name" || field === "sweep") {
      problems.push({
        path: at("sweep", field),
        message: `${plain(field)} cannot be swept: names are made from the swept values (a template goes in the entry's own name, e.g. "zarr-{chunks}")`,
      });
    } else if (Object.hasOwn(entry, field)) {
      problems.push({ path: at("sweep", field), message: `${plain(field)} is both swept and set on the entry: keep one` });
    } else if (!Array.isArray(values) || values.length === 0) {
      problems.push({ path: at("sweep", field), message: `expected a non-empty list of the values to try, got ${describeValue(values)}` });
    } else if (values.some((v) => !Array.isArray(v)) && takesList(list, { ...entry, ...firstValues(sweep) }, field)) {
      const bad = values.find((v) => !Array.isArray(v));
      problems.push({
        path: at("sweep", field),
        message: `each value to try must be a list, as ${plain(field)} takes a list: write [[256, 256]] for one value, [[256, 256], [1024, 64]] for several; got ${describeValue(bad)}`,
      });
    }
  }
  const template = entry.name;
  if (template !== undefined && typeof template === "string") {
    for (const [, f] of template.matchAll(PLACEHOLDER)) {
      const field = f.split(".")[0];
      if (!Object.hasOwn(sweep, field)) {
        problems.push({ path: at("name"), message: `${plain(`{${f}}`)} names no swept field (swept: ${Object.keys(sweep).map(plain).join(", ")})` });
      } else if (f !== field && (sweep[field] as unknown[]).some((v) => placeheld({ [field]: v }, f) === undefined)) {
        problems.push({
          path: at("name"),
          message: `${plain(`{${f}}`)} names a key that not every swept value of ${plain(field)} has: every value must be a mapping with it`,
        });
      }
    }
  }
  return problems;
}

function firstValues(sweep: Entry): Entry {
  return Object.fromEntries(Object.entries(sweep).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
}

/** Expands every sweep entry of `layouts` and `patterns` in the parsed file `data`. */
export function expandSweeps(data: Record<string, unknown>): Expanded {
  const out: Record<string, unknown> = { ...data };
  const origin = { layouts: [] as number[], patterns: [] as number[] };
  const sweeps: SweepInfo[] = [];
  const problems: SweepProblem[] = [];
  for (const list of Object.keys(SWEPT_LISTS) as SweptList[]) {
    const entries = data[list];
    if (!Array.isArray(entries) || !entries.some((e) => isMapping(e) && Object.hasOwn(e, "sweep"))) {
      if (Array.isArray(entries)) origin[list] = entries.map((_, i) => i);
      continue;
    }
    const expanded: unknown[] = [];
    const from: number[] = [];
    /** Per name given by a sweep, the file index of the first entry with it. */
    const named = new Map<string, number>();
    entries.forEach((entry, i) => {
      if (!isMapping(entry) || !Object.hasOwn(entry, "sweep")) {
        expanded.push(entry);
        from.push(i);
        return;
      }
      const found = sweepProblems(list, i, entry);
      if (found.length > 0) {
        problems.push(...found);
        return;
      }
      const sweep = entry.sweep as Record<string, unknown[]>;
      const fields = Object.keys(sweep);
      const count = fields.reduce((n, f) => n * sweep[f].length, 1);
      if (count > MAX_SWEPT_ENTRIES) {
        problems.push({
          path: [list, i, "sweep"],
          message: `expands to ${count} ${list} (${fields.map((f) => sweep[f].length).join(" × ")}); at most ${MAX_SWEPT_ENTRIES} are allowed: sweep fewer values`,
        });
        return;
      }
      const { sweep: _sweep, name: template, ...fixed } = entry;
      const given = entry[SWEPT_LISTS[list]];
      const base = typeof given === "string" ? given : list.slice(0, -1);
      const members: SweepMember[] = [];
      const made: Entry[] = [];
      for (const combo of product(fields.map((f) => sweep[f]))) {
        const values = Object.fromEntries(fields.map((f, k) => [f, combo[k]]));
        const labels = Object.fromEntries(fields.map((f, k) => [f, valueLabel(f, combo[k])]));
        const name = nameOf(typeof template === "string" ? template : undefined, base, labels, values);
        if (members.some((m) => m.name === name)) {
          problems.push({
            path: [list, i, template === undefined ? "sweep" : "name"],
            message: `two combinations are both named ${quote(name)}: put every swept field in the name (e.g. ${quote(`${base}-${fields.map((f) => `{${f}}`).join("-")}`)})`,
          });
          return;
        }
        members.push({ name, values: labels });
        made.push({ ...fixed, ...values, name });
      }
      // A name another sweep made first is reported here once, and its entry left out.
      const kept = members.filter((m, k) => {
        const other = named.get(m.name);
        if (other === undefined) {
          named.set(m.name, i);
          expanded.push(made[k]);
          from.push(i);
          return true;
        }
        problems.push({
          path: [list, i, "sweep"],
          message: `makes the name ${quote(m.name)}, which the sweep at ${list}[${other}] makes too: names must be unique`,
        });
        return false;
      });
      sweeps.push({ list, at: i, fields, members: kept });
    });
    if (expanded.length > MAX_SWEPT_ENTRIES) {
      problems.push({
        path: [list],
        message: `the sweeps expand to ${expanded.length} ${list} in all; at most ${MAX_SWEPT_ENTRIES} are allowed: sweep fewer values`,
      });
    }
    // Only the first MAX_SWEPT_ENTRIES are checked further: the problem above says why the rest are not.
    out[list] = expanded.slice(0, MAX_SWEPT_ENTRIES);
    origin[list] = from.slice(0, MAX_SWEPT_ENTRIES);
  }
  return { data: out, origin, sweeps, problems };
}
