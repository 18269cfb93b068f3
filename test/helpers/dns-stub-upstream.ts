import { createSocket, type Socket } from "node:dgram";
import { encodeMessage } from "../../src/core/dns/encode.js";
import { CLASS_IN, RCODE, TYPE } from "../../src/core/dns/message.js";
import { parseMessage } from "../../src/core/dns/parse.js";

/**
 * A stand-in for the host's resolver: UDP on port 53 of a random 127.x address (resolv.conf
 * names no port), answering A for the names it is given and NXDOMAIN for the rest. It records
 * each query's id and name, so a test can show that forwarding keeps ids.
 */
export class StubUpstream {
  readonly seen: { id: number; name: string; optionCodes: number[] }[] = [];
  private sock?: Socket;
  address = "";
  constructor(readonly names: Record<string, string>) {}

  async start(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const address = `127.${50 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
      const sock = createSocket("udp4");
      try {
        await new Promise<void>((resolve, reject) => {
          sock.once("error", reject);
          sock.bind(53, address, () => resolve());
        });
      } catch (err) {
        sock.close();
        if (attempt > 20) throw err;
        continue;
      }
      this.sock = sock;
      this.address = address;
      break;
    }
    this.sock!.on("message", (msg, rinfo) => {
      const p = parseMessage(new Uint8Array(msg));
      if (!p.ok || !p.message.questions[0]) return;
      const q = p.message;
      const name = q.questions[0]!.name.toLowerCase();
      this.seen.push({ id: q.id, name, optionCodes: (q.edns?.options ?? []).map((o) => o.code) });
      const addr = this.names[name];
      const reply = encodeMessage({
        id: q.id,
        flags: { ...q.flags, qr: true, ra: true, rcode: addr ? RCODE.NOERROR : RCODE.NXDOMAIN },
        questions: q.questions,
        answers: addr && q.questions[0]!.type === TYPE.A ? [{ name: q.questions[0]!.name, type: TYPE.A, class: CLASS_IN, ttl: 77, data: { kind: "A", address: addr } }] : [],
        authority: [],
        additional: [],
      });
      this.sock?.send(reply, rinfo.port, rinfo.address);
    });
  }

  close(): Promise<void> {
    return new Promise((r) => (this.sock ? this.sock.close(() => r()) : r()));
  }
}
