/**
 * The shapes of INTEROP.md: a table per side (clients of Ward, authoritative servers Ward queries),
 * rows are features, columns are programs, every cell yes / no / n.a. with its evidence.
 */

export type Verdict = 'yes' | 'no' | 'n.a.';

/** One command run and what was seen on the wire (or in the program's output) because of it. */
export interface Evidence { command: string; observed: string }

export interface Cell { verdict: Verdict; evidence: Evidence[]; reason?: string }

export interface Row { id: string; title: string }

/** A program in a table: how it is named, its version line, and its cells by row id. */
export interface ProgramResult { name: string; version: string; cells: Record<string, Cell> }

export interface Table { side: string; intro: string; rows: Row[]; programs: ProgramResult[] }

export interface Report { date: string; platform: string; tables: Table[] }
