/** The parts of Docker Engine API 1.41 answers the agent reads. */

export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: {
    Status: "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
    Running: boolean;
    OOMKilled: boolean;
    ExitCode: number;
    Error: string;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: { Labels: Record<string, string> | null; Image: string };
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Ports: Record<string, PortBinding[] | null> | null; Networks?: Record<string, { IPAddress?: string }> | null };
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Labels: Record<string, string>;
  State: string;
}

export interface DockerInfo {
  NCPU: number;
  MemTotal: number;
  ServerVersion: string;
  Architecture: string;
  OSType: string;
}

export interface DockerVersion {
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  Arch: string;
}

export interface DockerEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  time: number;
}

/** The container create body (POST /containers/create), as far as the agent fills it. */
export interface CreateContainerBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  /** Default-bridge containers of tasks with a role (the credentials redirect matches it). */
  MacAddress?: string;
  Labels: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopTimeout?: number;
  OpenStdin?: boolean;
  Tty?: boolean;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
  HostConfig: {
    NetworkMode?: string;
    PortBindings?: Record<string, PortBinding[]>;
    Links?: string[];
    CpuShares?: number;
    Memory?: number;
    MemoryReservation?: number;
    MemorySwap?: number;
    MemorySwappiness?: number;
    Ulimits?: { Name: string; Soft: number; Hard: number }[];
    Init?: boolean;
    CapAdd?: string[];
    CapDrop?: string[];
    Tmpfs?: Record<string, string>;
    ShmSize?: number;
    Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[];
    Privileged?: boolean;
    ReadonlyRootfs?: boolean;
    ExtraHosts?: string[];
    Dns?: string[];
    DnsSearch?: string[];
    SecurityOpt?: string[];
    Binds?: string[];
    LogConfig?: { Type: string; Config: Record<string, string> };
  };
}
