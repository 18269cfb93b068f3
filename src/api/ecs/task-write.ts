import type { WriteOp } from "../../store/store.js";
import type { TaskDoc } from "../../records/task-doc.js";

/** The store write for a task: id = ARN, scope = cluster ARN, sort = creation order. */
export function putTaskOp(doc: TaskDoc): WriteOp {
  return { op: "put", kind: "task", id: doc.taskArn, scope: doc.clusterArn, sort: doc.wharf.sort, value: doc };
}
