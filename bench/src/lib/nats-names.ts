/**
 * Names shared by the NATS JetStream bench processes: the work-queue stream, its subject and the durable
 * pull consumer.
 */
export const NATS_STREAM = 'BENCH';
export const NATS_SUBJECT = 'bench.work';
export const NATS_CONSUMER = 'worker';
