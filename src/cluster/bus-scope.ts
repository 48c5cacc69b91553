import type { Logger } from 'pino';
import type { Bus, BusMessage, ConsumeOptions, Subscription } from '../bus/ports.js';
import type { Duty } from './roles.js';

/**
 * Which duty runs each consumer group. A group belongs to one duty so that, in a cluster, its work
 * is shared only among the nodes doing that duty (JetStream hands each message of a group to one
 * of them). Groups named per node (`rules-<node>`: every node follows rule changes) run everywhere.
 */
export const GROUP_DUTIES: Readonly<Record<string, Duty>> = {
  detect: 'detect',
  record: 'detect',
  intel: 'detect',
  alert: 'worker',
  notify: 'worker',
};

/** Background work nobody assigned yet goes to workers, never to the ingest or API nodes. */
export function dutyOfGroup(group: string): Duty | 'any' {
  if (group.startsWith('rules-')) return 'any';
  // Correlation partitions (`correlate-<n>`): owned by detect nodes, one owner per partition.
  if (group.startsWith('correlate-')) return 'detect';
  return GROUP_DUTIES[group] ?? 'worker';
}

const idle: Subscription = { stop: () => Promise.resolve() };

/**
 * The bus as the capabilities of this node see it: publishing is unchanged, consuming starts only
 * the consumer groups of the node's duties. Capabilities stay unaware of roles for their bus work;
 * the composition root decides, in one table, what runs where.
 */
export function scopeBus(bus: Bus, duties: ReadonlySet<Duty>, log?: Logger): Bus {
  return {
    publish: (subject, data, opts) => bus.publish(subject, data, opts),
    consume: <T>(
      subject: string,
      group: string,
      handler: (msg: BusMessage<T>) => Promise<void>,
      opts?: ConsumeOptions<T>,
    ): Promise<Subscription> => {
      const duty = dutyOfGroup(group);
      if (duty !== 'any' && !duties.has(duty)) {
        log?.debug({ group, subject, duty }, 'consumer left to the nodes of its role');
        return Promise.resolve(idle);
      }
      return bus.consume<T>(subject, group, handler, opts);
    },
    ...(bus.prepare ? { prepare: bus.prepare.bind(bus) } : {}),
    close: () => bus.close(),
  };
}
