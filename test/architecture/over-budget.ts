/**
 * Files exempt from the size budget because they are table-like data, not logic; each with why.
 */
export const TABLE_DATA: Record<string, string> = {};

/**
 * Over budget (issue 13.7), keyed on `file` or `file:function` with its line count. Empty since every
 * product function fits in 80 lines and every file in 400: an entry may only ever leave this list.
 */
export const OVER_BUDGET: Record<string, number> = {};
