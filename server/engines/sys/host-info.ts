import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { arch, cpus, freemem, hostname, platform, release, totalmem, uptime, version } from 'node:os';
import type { Core } from '../../core/core';
import type { Route } from '../../core/route';

// sys/host-info (sudo): the host this node runs on, in the shape of Vault's
// gopsutil-based answer (cpu, cpu_times, disk, host, memory, timestamp),
// from node:os and statfs. Fields Node cannot see (vendor ids, cache sizes,
// virtualization) are left empty rather than guessed.
const MS_PER_S = 1000; // os.cpus() times are milliseconds; Vault reports seconds

function cpuInfo() {
  return cpus().map((c, i) => ({
    cpu: i,
    vendorId: '',
    family: '',
    model: '',
    stepping: 0,
    physicalId: '',
    coreId: String(i),
    cores: 1,
    modelName: c.model,
    mhz: c.speed,
    cacheSize: 0,
    flags: [],
    microcode: '',
  }));
}

function cpuTimes() {
  const sum = { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  for (const c of cpus()) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += c.times[k];
  const s = (ms: number) => ms / MS_PER_S;
  return [{ cpu: 'cpu-total', user: s(sum.user), system: s(sum.sys), idle: s(sum.idle), nice: s(sum.nice), iowait: 0, irq: s(sum.irq), softirq: 0, steal: 0, guest: 0, guestNice: 0 }];
}

function disk(path: string) {
  const st = statfsSync(path);
  const total = st.blocks * st.bsize;
  const free = st.bavail * st.bsize;
  const used = total - st.bfree * st.bsize;
  const pct = (part: number, whole: number) => (whole ? (part / whole) * 100 : 0);
  return { path, fstype: '', total, free, used, usedPercent: pct(used, used + free), inodesTotal: st.files, inodesUsed: st.files - st.ffree, inodesFree: st.ffree, inodesUsedPercent: pct(st.files - st.ffree, st.files) };
}

function memory() {
  const total = totalmem();
  const available = freemem();
  const used = total - available;
  return { total, available, used, usedPercent: total ? (used / total) * 100 : 0, free: available };
}

function host() {
  const up = Math.floor(uptime());
  return {
    hostname: hostname(),
    uptime: up,
    bootTime: Math.floor(Date.now() / 1000) - up,
    procs: 0,
    os: platform(),
    platform: platform(),
    platformFamily: '',
    platformVersion: version(),
    kernelVersion: release(),
    kernelArch: arch() === 'x64' ? 'x86_64' : arch(),
    virtualizationSystem: '',
    virtualizationRole: '',
    hostid: '',
  };
}

export const hostInfoRoutes: Route<Core>[] = [
  {
    pattern: 'sys/host-info',
    sudo: true,
    ops: {
      read: ({ core }) => ({
        data: {
          cpu: cpuInfo(),
          cpu_times: cpuTimes(),
          // The disk holding this node's data (Vault reports every partition; one is what an operator needs here).
          disk: [disk(core.physical.path ? dirname(core.physical.path) : '/')],
          host: host(),
          memory: memory(),
          timestamp: new Date().toISOString(),
        },
      }),
    },
  },
];
