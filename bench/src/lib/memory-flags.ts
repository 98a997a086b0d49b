/**
 * Node flags (and, for long runs, the allocator setting) of every bench server whose memory is measured
 * (scale and peers figures).
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

/**
 * Environment of a server whose RSS is compared over a long run (relay RSS over completed tasks): glibc malloc
 * limited to 2 arenas, the setting the relay README recommends on glibc Linux. With glibc's default (up to 8
 * arenas per core, one per thread that allocates: V8's compiler and GC threads, the verify thread, libuv's
 * pool) RSS grows in steps as freed memory stays in those arenas: a direct test here grew 6% from 10,000 to
 * 40,000 round trips with the default and 1.3% with 2 arenas, the JS heap flat in both.
 */
export const LONG_RUN_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
