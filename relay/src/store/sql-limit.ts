/**
 * The LIMIT clause of the store's prepared statements that take their row limit as a parameter.
 */

/**
 * `LIMIT +?`, not `LIMIT ?`: SQLite's planner takes a LIMIT that is a bare parameter into account, so binding it
 * marks the statement for a new plan, and every execution prepares the statement again. Measured on this
 * store's `nextPending` (Node 24's SQLite): ~20 µs more per call, empty result or not (2.7 against 20.4 µs on an
 * empty mailbox, 7.6 against 32 µs for one row), which the delivery engine pays for each slot a receipt frees in
 * a mailbox with a backlog, and each agent pays at authentication. The unary plus makes the limit an expression
 * the planner does not read; the plans of these statements are the same either way (each already reads an index
 * in the order it returns rows). Statements prepared per call (the task listing) keep `LIMIT ?`.
 */
export const LIMIT_PARAM = 'LIMIT +?';
