/**
 * Imported first by main.ts, before anything can touch libuv's thread pool (it is sized when first
 * used): the Raft log's writes and fsyncs, LevelDB's reads and writes, and snapshot files share it, and
 * with the default 4 threads a burst of catalog work can queue a log write behind it. An operator's
 * UV_THREADPOOL_SIZE wins.
 */
process.env['UV_THREADPOOL_SIZE'] ??= '16';
