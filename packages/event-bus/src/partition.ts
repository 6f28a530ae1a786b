import { murmur2 } from '@platformatic/kafka';

/** Kafka's default partitioner (murmur2 of the key): a key lands on the same partition on both buses. */
export function partitionFor(key: string, partitions: number): number {
  return (murmur2(Buffer.from(key)) & 0x7fffffff) % partitions;
}
