// Wharf's DNS server (src/dns/server.ts) in a process of its own for bench/dns.ts, serving the
// records given as JSON in argv[2] through the in-memory record source; prints its port.
import { startDnsServer } from "../../src/dns/server.js";
import { MemoryDnsSource } from "../../test/helpers/dns-memory-source.js";

const { zone, records } = JSON.parse(process.argv[2]!) as { zone: string; records: ConstructorParameters<typeof MemoryDnsSource>[1] };
const server = await startDnsServer({ host: "127.0.0.1", port: 0, sources: [new MemoryDnsSource(zone, records)], upstream: { nameservers: [] } });
process.stdout.write(`${server.port}\n`);
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
