/**
 * Node flags of every bench server whose memory is measured (scale and peers figures).
 */

/** V8 semi-space size (MiB) of the servers whose memory is measured: the young generation is 2 x this. */
export const YOUNG_SEMI_SPACE_MIB = 8;
/**
 * Node flags of the servers whose memory is measured, bare and relay alike: GC on demand, and the young
 * generation pinned at 16 MiB (V8's starting size here). Left free, V8 grows it (16 -> 128 MiB here) while thousands of handshakes allocate,
 * at a moment that varies from run to run; that one-off growth of the process (up to ~11 KB per agent at
 * 10,000) then lands in the half measured or not by chance. Pinned, the marginal figure is what each
 * connection (or completed task) retains.
 */
export const MEMORY_FLAGS = ['--expose-gc', `--min-semi-space-size=${YOUNG_SEMI_SPACE_MIB}`, `--max-semi-space-size=${YOUNG_SEMI_SPACE_MIB}`] as const;
