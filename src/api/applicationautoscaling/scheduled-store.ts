import type { WriteOp } from "../../store/store.js";
import { scheduledId } from "./deps.js";
import type { ScheduledActionDoc } from "./docs.js";

export const scheduledDeleteOp = (a: ScheduledActionDoc): WriteOp => ({ op: "delete", kind: "aas-scheduled-action", id: scheduledId(a) });
